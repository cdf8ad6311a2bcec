import type { Database } from './database.ts';

/**
 * LISTEN on one channel: on PostgreSQL a pooled connection is held until `unlisten`; on PGlite the
 * embedded engine delivers its own NOTIFYs. `onLost` is called once if the connection breaks (the
 * caller decides whether to listen again).
 */
export async function listen(
  database: Database,
  channel: string,
  onNotify: (payload: string | undefined) => void,
  onLost: () => void,
): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`listen: bad channel name ${channel}`);
  const { pool, pglite } = database;
  if (pglite) return pglite.listen(channel, (payload) => onNotify(payload));
  if (!pool) throw new Error('listen: no database to listen on');
  const client = await pool.connect();
  let released = false;
  client.on('notification', (m) => {
    if (m.channel === channel) onNotify(m.payload);
  });
  client.on('error', () => {
    if (released) return;
    released = true;
    client.release(true);
    onLost();
  });
  try {
    await client.query(`LISTEN ${channel}`);
  } catch (err) {
    // An ordinary query error raises no 'error' event: give the connection back here.
    if (!released) {
      released = true;
      client.release(true);
    }
    throw err;
  }
  return async () => {
    if (released) return;
    released = true;
    await client.query(`UNLISTEN ${channel}`).catch(() => {});
    client.release();
  };
}
