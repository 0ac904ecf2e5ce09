/**
 * OSSEC / Wazuh built-in plugin decoders (`<plugin_decoder>NAME</plugin_decoder>`).
 *
 * A plugin decodes `ev.log` from index `start` (0, or the parent's offset for Wazuh's
 * `offset="after_parent"`), filling fields with `ev.setField` and, where OSSEC does so, the
 * event's category, hostname, location, full log and log. Plugins never throw on malformed
 * input; what they cannot decode they leave unset.
 */
import type { LogEvent } from '../../event';
import { jsonDecoder } from './json';
import { ossecAlertDecoder } from './ossecalert';
import { pfDecoder } from './pf';
import { sonicWallDecoder } from './sonicwall';
import { symantecWsDecoder } from './symantecws';

export type PluginDecoder = (ev: LogEvent, start: number) => void;

/** Plugins by the name used in `<plugin_decoder>`, with default options (no prototype: unknown names are undefined). */
export const PLUGIN_DECODERS: Record<string, PluginDecoder> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, PluginDecoder>, {
    JSON_Decoder: jsonDecoder,
    OSSECAlert_Decoder: ossecAlertDecoder,
    PF_Decoder: pfDecoder,
    SonicWall_Decoder: sonicWallDecoder,
    SymantecWS_Decoder: symantecWsDecoder,
  }),
);

export {
  applyJsonFields, createJsonDecoder, flattenObject, jsonDecoder, parseJsonLikeCJson,
  JsonObject, JSON_NESTING_LIMIT,
} from './json';
export type { FlattenOptions, JsonDecoderOptions, JsonValue } from './json';
export { createOssecAlertDecoder, getGeneratedRuleId, ossecAlertDecoder, OSSEC_ALERT_CATEGORY } from './ossecalert';
export type { OssecAlertDecoderOptions } from './ossecalert';
export { pfDecoder } from './pf';
export { sonicWallDecoder } from './sonicwall';
export { symantecWsDecoder } from './symantecws';
