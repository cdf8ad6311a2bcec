import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export const MATERIAL_KINDS = ['article', 'poster', 'pdf', 'video', 'miniprogram', 'link'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

export interface Material {
  id: string;
  kind: MaterialKind;
  title: string;
  summary: string | null;
  category: string | null;
  tags: string[];
  coverUrl: string | null;
  bodyHtml: string | null;
  linkUrl: string | null;
  mini: { appid: string; pagepath: string } | null;
  qrSlot: { x: number; y: number; size: number } | null;
  file: { mime: string; name: string | null; size: number } | null;
  unitId: string;
  unitName: string | null;
  editable: boolean;
  /** Sent back on every edit and upload: someone else's change meanwhile is a 409. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What WeCom's `sendChatMessage` takes (news, mini-program card or image). */
export type SharePayload =
  | {
      msgtype: 'news';
      enterChat: boolean;
      news: { title: string; desc: string; link: string; imgUrl: string };
    }
  | {
      msgtype: 'miniprogram';
      enterChat: boolean;
      miniprogram: { appid: string; title: string; imgUrl: string; page: string };
    }
  | { msgtype: 'image'; enterChat: boolean; image: { imgUrl: string; link: string } };

export interface Share {
  shareId: string;
  token: string;
  url: string;
  customerId: string | null;
  profileId: string | null;
  payload: SharePayload;
}

export interface Figures {
  sent: number;
  opens: number;
  uniqueReaders: number;
  avgReadSeconds: number;
  forwards: number;
  leads: number;
}
export interface MaterialReport {
  material: { id: string; title: string; kind: MaterialKind };
  total: Figures;
  byStaff: Array<Figures & { staffId: string; staffName: string }>;
  daily: Array<{ day: string; opens: number; seconds: number }>;
}

export const materialKeys = {
  all: ['materials'] as const,
  list: (q: unknown) => ['materials', 'list', q] as const,
  report: (id: string) => ['materials', 'report', id] as const,
};

export const useMaterials = (q: { kind?: string; q?: string }) =>
  useQuery({
    queryKey: materialKeys.list(q),
    queryFn: () => http.get<{ items: Material[] }>('/materials', q),
  });

export const useMaterialReport = (id: string) =>
  useQuery({
    queryKey: materialKeys.report(id),
    queryFn: () => http.get<MaterialReport>(`/materials/${id}/report`),
  });

export const shareMaterial = (
  id: string,
  to: { customerId?: string; profileId?: string; externalUserId?: string },
) => http.post<Share>(`/materials/${id}/share`, to);

/** The cover to show: the material's own, or (posters) the uploaded image. */
export const coverOf = (m: Material) =>
  m.coverUrl ?? (m.kind === 'poster' && m.file ? `/api/v1/materials/${m.id}/file` : null);
