// @backplane/dev-vga: VGA-compatible colour text mode.
export { Vga } from './Vga';
export type { TextCell, TextScreen, VgaResources } from './Vga';
export { vgaState } from './state';
export type { VgaState } from './state';
export { VGA, vgaModule } from './module';
export { CP437 } from './cp437';
export {
  CRTC_CURSOR_HIGH,
  CRTC_CURSOR_LOW,
  CRTC_CURSOR_START,
  CRTC_INDEX,
  CRTC_DATA,
  CRTC_START_HIGH,
  CRTC_START_LOW,
  INPUT_STATUS_1,
  TEXT_BASE,
  TEXT_SIZE,
} from './registers';
