// The materials web module's public surface: the picker the WeCom sidebar mounts.
export { MaterialPicker } from './material-picker';
export type { Material, Share, SharePayload } from './materials-api';
