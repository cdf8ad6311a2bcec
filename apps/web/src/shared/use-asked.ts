import { useState } from 'react';

/** True from the first time `open` was true on: for panels loaded on first use and kept mounted after. */
export function useAsked(open: boolean): boolean {
  const [asked, setAsked] = useState(open);
  if (open && !asked) setAsked(true);
  return asked || open;
}
