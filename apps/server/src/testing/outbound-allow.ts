/**
 * Lets one local host (a simulator, a test SMTP server) through the outbound guard, by name as an
 * operator would (`KEHU_OUTBOUND_ALLOW`); a server process started afterwards inherits it. Returns
 * the undo, which puts the variable back as it was.
 */
export function allowOutboundHost(host: string): () => void {
  const saved = process.env.KEHU_OUTBOUND_ALLOW;
  process.env.KEHU_OUTBOUND_ALLOW = [saved, host].filter(Boolean).join(',');
  return () => {
    if (saved === undefined) delete process.env.KEHU_OUTBOUND_ALLOW;
    else process.env.KEHU_OUTBOUND_ALLOW = saved;
  };
}
