import { z } from 'zod';
import { Id, list } from './common.ts';
import { STATE_PATTERN } from './wecom.ts';

/** 群活码: a WeCom group join QR (groupchat/add_join_way, scene 2) over up to 5 customer groups. */
export const JoinCodeInput = z
  .object({
    corpRef: z.uuid(),
    name: z.string().trim().min(1).max(30),
    /** Returned on every member who joins through the code (join_scene 3): attributes the join. */
    state: z.string().trim().regex(STATE_PATTERN),
    /** WeCom chat ids of the groups, in fill order. */
    chatIds: z.array(z.string().min(1).max(64)).min(1).max(5),
    /** When every group is full, WeCom creates “room_base_name + room_base_id” and adds it. */
    autoCreateRoom: z.boolean().optional(),
    roomBaseName: z.string().trim().min(1).max(40).optional(),
    roomBaseId: z.number().int().min(1).max(100000).optional(),
  })
  .strict();
export type JoinCodeInput = z.infer<typeof JoinCodeInput>;
export const JoinCodePatch = JoinCodeInput.omit({ corpRef: true, state: true }).partial().strict();
export type JoinCodePatch = z.infer<typeof JoinCodePatch>;

export const JoinCode = z.object({
  id: Id,
  corpRef: Id,
  name: z.string(),
  state: z.string(),
  configId: z.string(),
  qrCode: z.string().nullable(),
  chatIds: z.array(z.string()),
  groups: z.array(
    z.object({ chatId: z.string(), name: z.string().nullable(), memberCount: z.number().int() }),
  ),
  autoCreateRoom: z.boolean(),
  roomBaseName: z.string().nullable(),
  roomBaseId: z.number().int().nullable(),
  joinsToday: z.number().int(),
  joinsTotal: z.number().int(),
  createdAt: z.string(),
});
export type JoinCode = z.infer<typeof JoinCode>;
export const JoinCodeList = list(JoinCode);
export type JoinCodeList = z.infer<typeof JoinCodeList>;
export const JoinCodeDaily = z.object({
  items: z.array(z.object({ day: z.string(), joins: z.number().int() })),
});
export type JoinCodeDaily = z.infer<typeof JoinCodeDaily>;
