import { CDP_PERMISSIONS } from '@kehu/contracts/cdp';
import { can } from '../../core/auth/principal.ts';
import type { SearchSource } from '../search/index.ts';
import { listProfiles } from './profile-list.ts';

/**
 * CDP profiles in the global search: the profile list's own search (an identity equal to the term
 * — phone, email, member no. … — or, for a viewer who sees names in full, the name by prefix),
 * with its masking. A profile shows the name, else its first identity, as the list does.
 */
export const profileSearchSource: SearchSource = {
  key: 'profile',
  label: { 'zh-CN': '客户档案', 'en-US': 'Profiles' },
  order: 60,
  visible: (p) => can(p, CDP_PERMISSIONS.read),
  async search(c) {
    const unmasked = can(c.principal, CDP_PERMISSIONS.unmaskProfile);
    const r = await listProfiles(
      c.tx,
      { principal: c.principal, actor: c.actor },
      { q: c.q, limit: c.limit },
      unmasked,
    );
    return {
      hits: r.items.map((p) => {
        const ids = p.identities.filter((i) => !i.startsWith('anonymous_id:'));
        const first = ids[0]?.split(':').slice(1).join(':') ?? null;
        return {
          object: 'profile',
          id: p.id,
          title: p.name ?? first ?? (c.locale === 'zh-CN' ? '匿名访客' : 'Anonymous visitor'),
          subtitle: p.name ? first : null,
          url: `/cdp/profiles/${p.id}`,
        };
      }),
      more: r.nextCursor !== null,
      moreUrl: `/cdp/profiles?q=${encodeURIComponent(c.q)}`,
    };
  },
};
