/**
 * The event that flows through the engine's three phases.
 * Phase 1 (pre-decoding) fills the header fields, phase 2 (decoding) the decoded
 * fields, phase 3 (rules) reads them. Plain properties keep the per-line path cheap; the
 * fields few events set live in a side object (RareFields) behind accessors, so the event is small.
 */

/** Static decoded fields, named as OSSEC's `<order>` names them. */
export const STATIC_FIELDS = [
  'srcip', 'dstip', 'srcport', 'dstport', 'protocol', 'action', 'id', 'url',
  'data', 'extra_data', 'status', 'system_name', 'srcuser', 'dstuser',
] as const;
export type StaticField = (typeof STATIC_FIELDS)[number];

/** Field name a Wazuh-dialect decoder's `extra_data` order item writes (see LogEvent.extraData). */
export const WAZUH_EXTRA_DATA = 'extra_data(wazuh)';

/**
 * The fields few events set (ossec decoder.xml's `<order>` lists name protocol, dstport, srcuser
 * and system_name least often; agent, forwarded-alert, Wazuh and dynamic fields come from other
 * inputs), kept off the event so that the object every line allocates, and correlation memory
 * holds, stays small. Created on the first non-null write.
 */
class RareFields {
  protocol: string | null = null;
  dstport: string | null = null;
  srcuser: string | null = null;
  system_name: string | null = null;
  agentName: string | null = null;
  remoteOrigin: string | null = null;
  generatedRuleId: string | null = null;
  extraData: string | null = null;
  fields: Map<string, string> | null = null;
}

export class LogEvent {
  // ---- input / phase 1
  /** The whole record as received (OSSEC's full_log). */
  fullLog: string;
  /** The message after header stripping; decoders and `<match>` see this. */
  log: string;
  /** Where the record came from: file path, `stdin`, or `(agent) ip->path`. */
  location: string;
  /** Hostname from the syslog header, else the agent / local host name. */
  hostname: string;
  /** Program name from the syslog header, or null when none was found. */
  programName: string | null = null;
  /** The header timestamp text that was skipped, if any. */
  headerTimestamp: string | null = null;
  /** Event time in ms since the epoch (record time, or receive time). */
  time: number;
  /** Agent identity ("000" for local events). */
  agentId = '000';

  // ---- phase 2
  /** Name the decoder reports (the parent's unless use_own_name). */
  decoderName: string | null = null;
  /** Root decoder's name. */
  decoderParent: string | null = null;
  /** Decoder `<type>`: syslog, firewall, ids, web-log, squid, windows, host-information, ossec. */
  category = 'syslog';
  /** First-time-seen key fields of the decoder, resolved at decode time by the rules phase. */
  decoderIndex = -1;

  // Static decoded fields the stock decoders fill most (the others are in `rare`).
  srcip: string | null = null;
  dstip: string | null = null;
  srcport: string | null = null;
  action: string | null = null;
  id: string | null = null;
  /** OSSEC's `data`/`extra_data` share one slot (`<order>data</order>` and `extra_data` both fill it). */
  data: string | null = null;
  status: string | null = null;
  dstuser: string | null = null;
  /**
   * Few decoders name it, but they decode whole high-volume logs on every line (squid, web
   * access, named queries): as a rare field it cost those lines a side object (112 bytes) each.
   */
  url: string | null = null;

  // ---- phase 3 state
  /** Level of the correlation alert this event took part in (OSSEC's lf->matched). */
  matched = 0;
  /** First-time-seen answer for this event, once asked (null: not asked yet). */
  ftsNew: boolean | null = null;

  /** The fields few events set; null until one is. */
  private rare: RareFields | null = null;

  constructor(fullLog: string, location: string, hostname: string, time: number) {
    this.fullLog = fullLog;
    this.log = fullLog;
    this.location = location;
    this.hostname = hostname;
    this.time = time;
  }

  private rareForWrite(): RareFields {
    return (this.rare ??= new RareFields());
  }

  get protocol(): string | null { return this.rare === null ? null : this.rare.protocol; }
  set protocol(v: string | null) { if (v !== null || this.rare !== null) this.rareForWrite().protocol = v; }
  get dstport(): string | null { return this.rare === null ? null : this.rare.dstport; }
  set dstport(v: string | null) { if (v !== null || this.rare !== null) this.rareForWrite().dstport = v; }
  get srcuser(): string | null { return this.rare === null ? null : this.rare.srcuser; }
  set srcuser(v: string | null) { if (v !== null || this.rare !== null) this.rareForWrite().srcuser = v; }
  get system_name(): string | null { return this.rare === null ? null : this.rare.system_name; }
  set system_name(v: string | null) { if (v !== null || this.rare !== null) this.rareForWrite().system_name = v; }

  /** The agent's name, when an agent sent the record. */
  get agentName(): string | null { return this.rare === null ? null : this.rare.agentName; }
  set agentName(v: string | null) { if (v !== null || this.rare !== null) this.rareForWrite().agentName = v; }
  /**
   * For a record an agent sent to the service: the agent as OSSEC's remoted writes it before an
   * agent's location, `(agent) any` (OSSEC's location is then `(agent) any->path`). Null when the
   * location is already whole (local files, stdin, replayed `(agent) ip->path` locations).
   */
  get remoteOrigin(): string | null { return this.rare === null ? null : this.rare.remoteOrigin; }
  set remoteOrigin(v: string | null) { if (v !== null || this.rare !== null) this.rareForWrite().remoteOrigin = v; }
  /** Rule id named inside a forwarded OSSEC alert (OSSECAlert_Decoder); phase 3 alerts as that rule. */
  get generatedRuleId(): string | null { return this.rare === null ? null : this.rare.generatedRuleId; }
  set generatedRuleId(v: string | null) { if (v !== null || this.rare !== null) this.rareForWrite().generatedRuleId = v; }
  /** Wazuh's `extra_data`, a field of its own there (OSSEC's `extra_data` is `data`). */
  get extraData(): string | null { return this.rare === null ? null : this.rare.extraData; }
  set extraData(v: string | null) { if (v !== null || this.rare !== null) this.rareForWrite().extraData = v; }
  /** Dynamic fields (Wazuh `<order>` names beyond the static ones, JSON keys, OTLP attributes). */
  get fields(): Map<string, string> | null { return this.rare === null ? null : this.rare.fields; }
  set fields(v: Map<string, string> | null) { if (v !== null || this.rare !== null) this.rareForWrite().fields = v; }

  /** Cases in the order ossec decoder.xml's `<order>` lists name the fields most (string cases are compared in turn). */
  setField(name: string, value: string): void {
    switch (name) {
      case 'srcip': this.srcip = value; return;
      case 'user': case 'dstuser': this.dstuser = value; return;
      case 'id': this.id = value; return;
      case 'action': this.action = value; return;
      case 'extra_data': case 'data': this.data = value; return;
      case 'dstip': this.dstip = value; return;
      case 'srcport': this.srcport = value; return;
      case 'status': this.status = value; return;
      case 'protocol': this.protocol = value; return;
      case 'dstport': this.dstport = value; return;
      case 'url': this.url = value; return;
      case 'srcuser': this.srcuser = value; return;
      case 'system_name': this.system_name = value; return;
      case WAZUH_EXTRA_DATA: this.extraData = value; return;
      default:
        (this.rareForWrite().fields ??= new Map()).set(name, value);
    }
  }

  /** Any field by name: static, pre-decoded, or dynamic (dynamic lookup is case-insensitive as in Wazuh). */
  getField(name: string): string | null {
    switch (name) {
      case WAZUH_EXTRA_DATA: return this.extraData;
      case 'srcip': return this.srcip;
      case 'dstip': return this.dstip;
      case 'srcport': return this.srcport;
      case 'dstport': return this.dstport;
      case 'protocol': return this.protocol;
      case 'action': return this.action;
      case 'id': return this.id;
      case 'url': return this.url;
      case 'data': case 'extra_data': return this.data;
      case 'status': return this.status;
      case 'system_name': return this.system_name;
      case 'srcuser': return this.srcuser;
      case 'dstuser': return this.dstuser;
      case 'user': return this.dstuser ?? this.srcuser;
      case 'hostname': return this.hostname;
      case 'program_name': return this.programName;
      case 'location': return this.location;
      case 'full_log': return this.fullLog;
      case 'log': return this.log;
      case 'decoder': case 'decoded_as': return this.decoderName;
      default: {
        if (!this.fields) return null;
        const v = this.fields.get(name);
        if (v !== undefined) return v;
        const lower = name.toLowerCase();
        for (const [k, val] of this.fields) if (k.toLowerCase() === lower) return val;
        return null;
      }
    }
  }
}
