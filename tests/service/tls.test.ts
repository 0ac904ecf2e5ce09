/**
 * Mutual TLS on the OTLP receivers: client certificates made here with `openssl` (a test CA,
 * a server certificate, client certificates from that CA and from another one). A listed
 * certificate bound to an agent fixes the agent identity as a bound token does; an unlisted or
 * foreign certificate, or none when authentication is required, gets 401 / UNAUTHENTICATED.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { LOGS_SERVICE_EXPORT_PATH } from '../../otel-processor/src/receiver/otlp/proto';
import { ConfigError, loadConfig } from '../../otel-processor/src/service/config';
import type { WardenService } from '../../otel-processor/src/service/service';
import { protobufBody, readJsonLines, sshFail, startService, tmpDir, until, writeRuleset } from './helpers';

function haveOpenssl(): boolean {
  try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

// a missing tool fails the suite, saying which (README, Prerequisites): it never skips
if (!haveOpenssl()) throw new Error('the TLS tests need openssl (to make their certificates)');
const describeTls = describe;

interface Pem { key: Buffer; cert: Buffer }

/** A CA, and certificates it signs (EC P-256, valid two days). */
class TestCa {
  readonly dir = tmpDir('pki');
  readonly name: string;
  constructor(name: string) {
    this.name = name;
    this.ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', this.file('ca.key'), '-out', this.file('ca.crt'),
      '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }

  file(n: string): string { return path.join(this.dir, n); }
  get caFile(): string { return this.file('ca.crt'); }

  private ossl(args: string[]): void {
    execFileSync('openssl', args, { stdio: 'pipe' });
  }

  issue(name: string, cn: string, san: string, usage: 'serverAuth' | 'clientAuth'): Pem & { certFile: string; keyFile: string } {
    const key = this.file(`${name}.key`);
    const csr = this.file(`${name}.csr`);
    const crt = this.file(`${name}.crt`);
    const ext = this.file(`${name}.ext`);
    fs.writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
    this.ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
    this.ossl(['x509', '-req', '-in', csr, '-CA', this.caFile, '-CAkey', this.file('ca.key'), '-CAcreateserial', '-out', crt, '-days', '2', '-extfile', ext]);
    return { key: fs.readFileSync(key), cert: fs.readFileSync(crt), certFile: crt, keyFile: key };
  }
}

describeTls('mutual TLS', () => {
  const rules = writeRuleset(tmpDir('rules'));
  let ca: TestCa;
  let server: ReturnType<TestCa['issue']>;
  let bound: Pem;
  let unbound: Pem;
  let unlisted: Pem;
  let foreign: Pem;
  let state: string;
  let svc: WardenService;
  const alerts = () => readJsonLines(path.join(state, 'alerts', 'alerts.json'));

  beforeAll(async () => {
    ca = new TestCa('Warden Test CA');
    server = ca.issue('server', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'serverAuth');
    bound = ca.issue('web-a', 'web-a.example.org', 'DNS:web-a.example.org', 'clientAuth');
    unbound = ca.issue('relay', 'relay', 'DNS:relay.example.org,URI:spiffe://example.org/relay', 'clientAuth');
    unlisted = ca.issue('stranger', 'stranger.example.org', 'DNS:stranger.example.org', 'clientAuth');
    foreign = new TestCa('Someone Else CA').issue('web-a', 'web-a.example.org', 'DNS:web-a.example.org', 'clientAuth');
    state = tmpDir('mtls');
    svc = await startService(state, rules, {
      WARDEN_RECEIVER_TLS_CERT_FILE: server.certFile,
      WARDEN_RECEIVER_TLS_KEY_FILE: server.keyFile,
      WARDEN_RECEIVER_TLS_CLIENT_CA_FILE: ca.caFile,
      // a CN bound to an agent, and a SAN (URI) that only authenticates
      WARDEN_RECEIVER_AUTH_CLIENT_CERTS: 'web-a.example.org=agent-web-a:web-a,spiffe://example.org/relay',
      WARDEN_RECEIVER_AUTH_TOKENS: 'tok-unbound',
    });
  });
  afterAll(async () => { await svc?.stop(5); });

  function postTls(body: Buffer, client: Pem | null, token?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1', port: svc.ports.http!, path: '/v1/logs', method: 'POST', servername: 'localhost',
        ca: fs.readFileSync(ca.caFile), ...(client ?? {}), headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
      req.on('error', reject);
      req.end(body);
    });
  }

  function grpcExport(body: Buffer, client: Pem | null, token?: string): Promise<grpc.ServiceError | null> {
    const creds = grpc.credentials.createSsl(fs.readFileSync(ca.caFile), client?.key ?? null, client?.cert ?? null);
    const c = new grpc.Client(`127.0.0.1:${svc.ports.grpc}`, creds, { 'grpc.ssl_target_name_override': 'localhost' });
    const md = new grpc.Metadata();
    if (token) md.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) => c.makeUnaryRequest(LOGS_SERVICE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, md, (e) => { c.close(); resolve(e ?? null); }));
  }

  const claim = (user: string, n: number) => protobufBody([{ attrs: { 'host.name': 'claims-to-be-dc', 'warden.agent.id': 'dc-01' }, records: [{ body: sshFail(user, '192.0.2.50', n) }] }]);
  const alertFor = (user: string) => until(() => alerts().find((x) => (x.data as Record<string, string>).dstuser === user), `alert for ${user}`, 10_000);

  test('OTLP/HTTP: a listed certificate bound to an agent fixes the identity; a listed unbound one authenticates', async () => {
    expect(await postTls(claim('mtls1', 1), bound)).toBe(200);
    expect((await alertFor('mtls1')).agent).toMatchObject({ id: 'agent-web-a', name: 'web-a' });
    expect(await postTls(claim('mtls2', 2), unbound)).toBe(200);
    expect((await alertFor('mtls2')).agent).toMatchObject({ id: 'dc-01', name: 'claims-to-be-dc' });
  });

  test('OTLP/HTTP: no certificate, an unlisted one, or one from another CA get 401 and nothing is processed', async () => {
    const before = alerts().length;
    expect(await postTls(claim('nocert', 3), null)).toBe(401);
    expect(await postTls(claim('unlisted', 4), unlisted)).toBe(401);
    expect(await postTls(claim('foreign', 5), foreign)).toBe(401);
    // a request that is accepted after them shows they left nothing behind
    expect(await postTls(claim('after', 6), bound)).toBe(200);
    await alertFor('after');
    expect(alerts().length).toBe(before + 1);
  });

  test('OTLP/gRPC over TLS: the bound certificate fixes the identity; without a trusted certificate: UNAUTHENTICATED', async () => {
    expect(await grpcExport(claim('grpc-mtls', 7), bound)).toBeNull();
    expect((await alertFor('grpc-mtls')).agent).toMatchObject({ id: 'agent-web-a' });
    expect((await grpcExport(claim('grpc-none', 8), null))?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await grpcExport(claim('grpc-unlisted', 9), unlisted))?.code).toBe(grpc.status.UNAUTHENTICATED);
    // a certificate of another CA does not even finish the handshake or is not trusted: never OK
    expect(await grpcExport(claim('grpc-foreign', 10), foreign)).not.toBeNull();
  });

  test('an untrusted certificate with a valid token is refused by both receivers alike', async () => {
    expect(await postTls(claim('token-only-http', 11), null, 'tok-unbound')).toBe(200);
    expect(await grpcExport(claim('token-only-grpc', 12), null, 'tok-unbound')).toBeNull();
    expect(await postTls(claim('foreign-token-http', 13), foreign, 'tok-unbound')).toBe(401);
    expect((await grpcExport(claim('foreign-token-grpc', 14), foreign, 'tok-unbound'))?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await postTls(claim('unlisted-token-http', 15), unlisted, 'tok-unbound')).toBe(401);
    expect((await grpcExport(claim('unlisted-token-grpc', 16), unlisted, 'tok-unbound'))?.code).toBe(grpc.status.UNAUTHENTICATED);
    await alertFor('token-only-grpc');
    expect(alerts().filter((a) => /foreign-token|unlisted-token/.test(String((a.data as Record<string, string>).dstuser)))).toEqual([]);
  });

  test('settings are checked together', () => {
    expect(() => loadConfig(null, { WARDEN_RECEIVER_TLS_CERT_FILE: server.certFile })).toThrow(/receiver\.tls\.cert_file and receiver\.tls\.key_file/);
    expect(() => loadConfig(null, { WARDEN_RECEIVER_AUTH_CLIENT_CERTS: 'x=y' })).toThrow(/receiver\.auth\.client_certs: needs receiver\.tls\.client_ca_file/);
    expect(() => loadConfig(null, { WARDEN_RECEIVER_TLS_CERT_FILE: '/nonexistent.crt', WARDEN_RECEIVER_TLS_KEY_FILE: server.keyFile })).toThrow(ConfigError);
    const c = loadConfig(null, { WARDEN_RECEIVER_TLS_CERT_FILE: server.certFile, WARDEN_RECEIVER_TLS_KEY_FILE: server.keyFile, WARDEN_RECEIVER_TLS_CLIENT_CA_FILE: ca.caFile });
    expect(c.receiver.auth.required).toBe(true);
  });
});
