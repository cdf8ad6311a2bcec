// 企业客户标签: corp tag groups and tags, and marking them on a customer. API changes send no callback
// (WeCom calls back for admin edits in its console — see SimCorp.editTagInWeCom).
import type { Handler } from './api-contacts.ts';
import { E, WeComError } from './errors.ts';
import type { SimCorpState, TagGroup } from './model.ts';

const TAG_NAME_MAX = 30;
const str = (v: unknown): v is string => typeof v === 'string';
const tagExists = () => new WeComError(40071, 'tag name exists');
const badTag = (id: string) => new WeComError(40068, `invalid tagid: ${id}`);

export function groupJson(g: TagGroup) {
  return {
    group_id: g.group_id,
    group_name: g.group_name,
    create_time: g.create_time,
    order: g.order,
    tag: g.tag.map((t) => ({ id: t.id, name: t.name, create_time: t.create_time, order: t.order })),
  };
}

function checkName(name: unknown): string {
  if (!str(name) || name.trim() === '' || [...name].length > TAG_NAME_MAX)
    throw E.invalidParam('tag name must be 1..30 characters');
  return name;
}

/** Adds tags to a group found by id or name (created when absent); shared by the API and the console. */
export function addTags(
  corp: SimCorpState,
  where: { group_id?: string; group_name?: string; order?: number },
  tags: Array<{ name: string; order?: number }>,
): { group: TagGroup; createdGroup: boolean; created: string[] } {
  const now = Math.floor(corp.now() / 1000);
  let group = where.group_id ? corp.tagGroups.find((g) => g.group_id === where.group_id) : undefined;
  if (where.group_id && !group) throw badTag(where.group_id);
  if (!group && where.group_name !== undefined) {
    const name = checkName(where.group_name);
    group = corp.tagGroups.find((g) => g.group_name === name);
  }
  let createdGroup = false;
  if (!group) {
    if (where.group_name === undefined) throw E.invalidParam('group_id or group_name required');
    group = {
      group_id: corp.ctx.id('et', 32),
      group_name: checkName(where.group_name),
      create_time: now,
      order: where.order ?? 0,
      tag: [],
    };
    createdGroup = true;
  }
  if (tags.length === 0) throw E.invalidParam('tag required');
  const names = tags.map((t) => checkName(t?.name));
  if (new Set(names).size !== names.length || names.some((n) => group.tag.some((t) => t.name === n)))
    throw tagExists();
  if (createdGroup) corp.tagGroups.push(group);
  const created: string[] = [];
  for (const [i, t] of tags.entries()) {
    const id = corp.ctx.id('et', 32);
    group.tag.push({ id, name: names[i], create_time: now, order: Number(t.order ?? 0) });
    created.push(id);
  }
  return { group, createdGroup, created };
}

export function renameTagOrGroup(
  corp: SimCorpState,
  id: string,
  name?: string,
  order?: number,
): 'tag' | 'tag_group' {
  const g = corp.tagGroups.find((x) => x.group_id === id);
  if (g) {
    if (name !== undefined) {
      const n = checkName(name);
      if (corp.tagGroups.some((x) => x !== g && x.group_name === n)) throw tagExists();
      g.group_name = n;
    }
    if (order !== undefined) g.order = Number(order);
    return 'tag_group';
  }
  for (const grp of corp.tagGroups) {
    const t = grp.tag.find((x) => x.id === id);
    if (!t) continue;
    if (name !== undefined) {
      const n = checkName(name);
      if (grp.tag.some((x) => x !== t && x.name === n)) throw tagExists();
      t.name = n;
    }
    if (order !== undefined) t.order = Number(order);
    return 'tag';
  }
  throw badTag(id);
}

/** Deletes tags and groups; a group left without tags goes too (WeCom keeps no empty groups). */
export function deleteTags(corp: SimCorpState, tagIds: string[], groupIds: string[]) {
  for (const id of tagIds) if (!corp.tagGroups.some((g) => g.tag.some((t) => t.id === id))) throw badTag(id);
  for (const id of groupIds) if (!corp.tagGroups.some((g) => g.group_id === id)) throw badTag(id);
  const gone = new Set(tagIds);
  for (const g of corp.tagGroups) if (groupIds.includes(g.group_id)) for (const t of g.tag) gone.add(t.id);
  for (const g of corp.tagGroups) g.tag = g.tag.filter((t) => !gone.has(t.id));
  corp.tagGroups = corp.tagGroups.filter((g) => !groupIds.includes(g.group_id) && g.tag.length > 0);
  for (const c of corp.contacts.values())
    for (const f of c.follows.values()) for (const id of gone) f.tags.delete(id);
  return gone;
}

function ids(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every(str)) throw E.invalidParam(`${what} must be a list of ids`);
  return v;
}

export const tagHandlers: Record<string, Handler> = {
  'externalcontact/get_corp_tag_list': ({ corp, body }) => {
    const tagIds = ids(body?.tag_id, 'tag_id');
    const groupIds = ids(body?.group_id, 'group_id');
    let groups = corp.tagGroups.map(groupJson);
    if (groupIds.length) groups = groups.filter((g) => groupIds.includes(g.group_id));
    else if (tagIds.length)
      groups = groups
        .map((g) => ({ ...g, tag: g.tag.filter((t) => tagIds.includes(t.id)) }))
        .filter((g) => g.tag.length > 0);
    return { tag_group: groups };
  },
  'externalcontact/add_corp_tag': ({ corp, body }) => {
    const tags = Array.isArray(body?.tag) ? body.tag : [];
    const { group, created } = addTags(
      corp,
      { group_id: body?.group_id, group_name: body?.group_name, order: body?.order },
      tags,
    );
    const g = groupJson(group);
    return { tag_group: { ...g, tag: g.tag.filter((t) => created.includes(t.id)) } };
  },
  'externalcontact/edit_corp_tag': ({ corp, body }) => {
    if (!str(body?.id)) throw E.invalidParam('id required');
    renameTagOrGroup(corp, body.id, body.name, body.order);
    return {};
  },
  'externalcontact/del_corp_tag': ({ corp, body }) => {
    const tagIds = ids(body?.tag_id, 'tag_id');
    const groupIds = ids(body?.group_id, 'group_id');
    if (tagIds.length + groupIds.length === 0) throw E.invalidParam('tag_id or group_id required');
    deleteTags(corp, tagIds, groupIds);
    return {};
  },
  'externalcontact/mark_tag': ({ corp, body }) => {
    const c = corp.contact(body?.external_userid);
    if (!str(body?.userid)) throw E.invalidParam('userid required');
    corp.contactStaff(body.userid);
    const f = c.follows.get(body.userid);
    if (!f) throw E.notExternalContact();
    const add = ids(body.add_tag, 'add_tag');
    const remove = ids(body.remove_tag, 'remove_tag');
    if (add.length + remove.length === 0) throw E.invalidParam('add_tag or remove_tag required');
    for (const id of [...add, ...remove]) if (!corp.tagName(id)) throw badTag(id);
    for (const id of add) f.tags.add(id);
    for (const id of remove) f.tags.delete(id);
    return {};
  },
};
