/** A message as the archive stored it, with who it is between and whose scope it falls in. */
export interface StoredMessage {
  corpRef: string;
  msgid: string;
  direction: 'in' | 'out' | 'other';
  staffUserid: string | null;
  externalUserid: string | null;
  staffUserId: string | null;
  unitId: string;
  profileId: string | null;
  content: string | null;
  msgtime: Date;
}
