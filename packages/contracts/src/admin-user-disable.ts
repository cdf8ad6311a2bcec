import { z } from 'zod';

export { ADMIN_PERMISSIONS } from './admin.ts';

/** GET /admin/users/:id/disable-check: what the user still holds (empty → no prompt). */
export const UserDisableCheckResult = z.object({
  items: z.array(
    z.object({
      key: z.string(),
      message: z.string(),
      link: z.string(),
      counts: z.record(z.string(), z.number().int()),
    }),
  ),
});
export type UserDisableCheckResult = z.infer<typeof UserDisableCheckResult>;
