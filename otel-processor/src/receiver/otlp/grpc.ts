/**
 * OTLP/gRPC receiver: `opentelemetry.proto.collector.logs.v1.LogsService/Export` (what the
 * collector's `otlp` and `load_balancing` exporters speak). gzip message compression is
 * handled by grpc-js. Status codes: INVALID_ARGUMENT for malformed requests, UNAUTHENTICATED
 * for bad tokens, RESOURCE_EXHAUSTED over the size limit, UNAVAILABLE when Warden cannot take
 * more now (the collector retries it).
 */
import * as grpc from '@grpc/grpc-js';
import { TLSSocket } from 'node:tls';
import { encodeResponse, LOGS_SERVICE_EXPORT_PATH } from './proto';
import type { Intake } from './intake';
import { certificateNames, type PeerIdentity } from './auth';

export interface GrpcReceiverOptions {
  host: string;
  port: number;
  maxRequestBytes: number;
  /** PEM files: server certificate and key, and the CA of client certificates (mutual TLS). */
  tls?: { certFile: string; keyFile: string; clientCaFile: string | null } | null;
}

const identity = (b: Buffer) => b;

const SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: LOGS_SERVICE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

function peerIp(peer: string): string | null {
  // "ipv4:127.0.0.1:5555", "ipv6:[::1]:5555", "127.0.0.1:5555"
  const m = /^(?:ipv[46]:)?\[?([^\]]+?)\]?:\d+$/.exec(peer);
  if (!m) return null;
  return m[1].startsWith('::ffff:') ? m[1].slice(7) : m[1];
}

/** The TLS socket under a call (grpc-js keeps it on the call's HTTP/2 session), or null. */
function tlsSocketOf(call: grpc.ServerUnaryCall<Buffer, Buffer>): TLSSocket | null {
  let c = (call as unknown as { call?: unknown }).call as { nextCall?: unknown; stream?: { session?: { socket?: unknown } } } | undefined;
  for (let depth = 0; c && depth < 8; depth++) {
    const sock = c.stream?.session?.socket;
    if (sock instanceof TLSSocket) return sock;
    c = c.nextCall as typeof c;
  }
  return null;
}

export class GrpcReceiver {
  private server: grpc.Server | null = null;
  private inflight = 0;
  retryAfter = 5;

  constructor(private readonly opts: GrpcReceiverOptions, private readonly intake: Intake) {}

  get pending(): number {
    return this.inflight;
  }

  async start(): Promise<number> {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.opts.maxRequestBytes,
      'grpc.max_send_message_length': 4 << 20,
    });
    server.addService(SERVICE, { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void this.export(call, cb) });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${this.opts.port}`, this.credentials(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    this.server = server;
    return port;
  }

  private credentials(): grpc.ServerCredentials {
    const tls = this.opts.tls;
    if (!tls) return grpc.ServerCredentials.createInsecure();
    // files re-read every minute (certificate rotation); client certificates asked for, not
    // required at the handshake: a request without a trusted one is answered UNAUTHENTICATED
    const identity = new grpc.experimental.FileWatcherCertificateProvider({ certificateFile: tls.certFile, privateKeyFile: tls.keyFile, refreshIntervalMs: 60_000 });
    const ca = tls.clientCaFile ? new grpc.experimental.FileWatcherCertificateProvider({ caCertificateFile: tls.clientCaFile, refreshIntervalMs: 60_000 }) : null;
    return grpc.experimental.createCertificateProviderServerCredentials(identity, ca, false);
  }

  /**
   * The client certificate of the call, trusted or not, as the HTTP receiver sees it: grpc-js's
   * auth context reports only verified certificates, so an untrusted one would look like none
   * (and a token alone would pass); the connection's TLS socket tells them apart.
   */
  private peer(call: grpc.ServerUnaryCall<Buffer, Buffer>): PeerIdentity | null {
    if (!this.opts.tls?.clientCaFile) return null;
    const sock = tlsSocketOf(call);
    if (sock) {
      const cert = sock.getPeerCertificate();
      if (!cert || Object.keys(cert).length === 0) return null;
      return { verified: sock.authorized, names: certificateNames(cert), error: sock.authorizationError ? String(sock.authorizationError) : null };
    }
    const cert = call.getAuthContext().sslPeerCertificate;
    return cert ? { verified: true, names: certificateNames(cert), error: null } : null;
  }

  private async export(call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>): Promise<void> {
    this.inflight++;
    const fail = (code: grpc.status, details: string, name: string) => {
      this.intake.answered('grpc', name);
      const md = new grpc.Metadata();
      if (code === grpc.status.UNAVAILABLE) md.set('retry-after', String(this.retryAfter));
      cb({ code, details, metadata: md });
    };
    try {
      const authz = call.metadata.get('authorization');
      const auth = this.intake.authenticate(authz.length ? String(authz[0]) : null, this.peer(call));
      if (!auth.ok) {
        this.intake.rejected(0, 'unauthenticated', 'grpc');
        fail(grpc.status.UNAUTHENTICATED, auth.reason, 'UNAUTHENTICATED');
        return;
      }
      const ua = call.metadata.get('user-agent');
      const r = await this.intake.accept({ format: 'protobuf', body: call.request }, { boundAgent: auth.agent, peerIp: peerIp(call.getPeer()), userAgent: ua.length ? String(ua[0]) : null, transport: 'grpc' });
      if (r.kind === 'malformed') {
        this.intake.rejected(0, 'malformed', 'grpc');
        fail(grpc.status.INVALID_ARGUMENT, r.reason, 'INVALID_ARGUMENT');
        return;
      }
      if (r.kind === 'busy') { fail(grpc.status.UNAVAILABLE, r.reason, 'UNAVAILABLE'); return; }
      this.intake.answered('grpc', 'OK');
      cb(null, encodeResponse(r.rejected, r.message));
    } catch (e) {
      process.emitWarning(`warden grpc receiver: ${(e as Error).stack ?? String(e)}`);
      fail(grpc.status.UNAVAILABLE, 'internal error (see the Warden log); retry later', 'UNAVAILABLE');
    } finally {
      this.inflight--;
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => s.tryShutdown(() => resolve()));
    this.server = null;
  }

  /** Ends the calls still open after {@link stop} had its time. */
  forceStop(): void {
    this.server?.forceShutdown();
    this.server = null;
  }
}
