// The secret box moved to core (webhooks seal their secrets too); WeCom files keep importing it here.
export { open, seal, secretsKey } from '../../core/crypto/secret-box.ts';
