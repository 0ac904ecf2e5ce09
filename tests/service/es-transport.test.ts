/**
 * How Warden reaches Elasticsearch, against every supported version (8.19 and 9.x, the real
 * integ-test distributions): over HTTPS with the cluster's own CA (a TLS endpoint in front of
 * the test node, certificates made here with openssl), with one of two nodes down (failover),
 * and the errors a user reads when the certificate is not trusted or no node answers.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { EsClient } from '../../otel-processor/src/exporters/elasticsearch/client';
import { EsNode, freePort, SUPPORTED_ES_VERSIONS } from './es-node';
import { post, protobufBody, sshFail, startService, tmpDir, until, writeRuleset } from './helpers';

interface Pki { dir: string; ca: string; cert: string; key: string }

/** A test CA and a server certificate for 127.0.0.1 signed by it. */
function makePki(): Pki {
  const dir = tmpDir('es-pki');
  const f = (n: string) => path.join(dir, n);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=Warden test cluster CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('node.key'), '-out', f('node.csr'), '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', f('node.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('node.crt'), '-days', '2', '-extfile', f('ext.cnf'));
  return { dir, ca: f('ca.crt'), cert: f('node.crt'), key: f('node.key') };
}

/** An HTTPS endpoint that forwards every request to the node (as a TLS-terminating load balancer, or Elasticsearch's own HTTPS). */
async function tlsFront(pki: Pki, target: string): Promise<{ url: string; close: () => Promise<void>; requests: () => number }> {
  const to = new URL(target);
  let n = 0;
  const agent = new http.Agent({ keepAlive: true });
  const server = https.createServer({ cert: fs.readFileSync(pki.cert), key: fs.readFileSync(pki.key) }, (req, res) => {
    n++;
    const up = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => { res.writeHead(502); res.end(e.message); });
    req.pipe(up);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${port}`,
    requests: () => n,
    close: () => new Promise<void>((r) => { agent.destroy(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe.each(SUPPORTED_ES_VERSIONS)('Elasticsearch %s', (version) => {
  let es: EsNode;
  let pki: Pki;
  let front: Awaited<ReturnType<typeof tlsFront>>;
  let downUrl: string;
  const rules = writeRuleset(tmpDir('es-transport-rules'));

  beforeAll(async () => {
    pki = makePki();
    es = await EsNode.create(version);
    await es.start();
    front = await tlsFront(pki, es.url);
    downUrl = `https://127.0.0.1:${await freePort()}`; // nothing listens there
  }, 900_000);

  afterAll(async () => {
    await front?.close();
    await es?.destroy();
  }, 120_000);

  test('the node answers with the version under test', async () => {
    // (the 9.x integ-test distribution has no `GET /` handler: ask the node itself)
    const r = await es.req('GET', '/_nodes/_local?filter_path=nodes.*.version');
    expect(Object.values(r.body.nodes as Record<string, { version: string }>).map((n) => n.version)).toEqual([version]);
  });

  test('HTTPS with tls.ca_file, one of two nodes down: every alert arrives', async () => {
    const prefix = `tr${version.replace(/\D/g, '')}`;
    const before = front.requests();
    const svc = await startService(tmpDir('es-transport'), rules, {
      // the dead node first: requests must fail over to the live one
      WARDEN_EXPORTERS_ELASTICSEARCH_URL: `${downUrl},${front.url}`,
      WARDEN_EXPORTERS_ELASTICSEARCH_TLS_CA_FILE: pki.ca,
      WARDEN_EXPORTERS_ELASTICSEARCH_INDEX_PREFIX: prefix,
      WARDEN_EXPORTERS_ELASTICSEARCH_FTS_REFRESH_SECONDS: '0',
    });
    try {
      const lines = Array.from({ length: 20 }, (_, i) => ({ body: sshFail(`user${i}`, '192.0.2.44', i) }));
      expect((await post(svc.ports.http!, protobufBody([{ attrs: { 'host.name': 'web9' }, records: lines }]))).status).toBe(200);
      const hits = await until(async () => { const h = await es.search(`${prefix}-alerts-*`); return h.length >= 20 ? h : null; }, '20 alerts through the HTTPS endpoint', 90_000);
      expect(hits.filter((h) => (h._source as { rule: { id: string } }).rule.id === '100102')).toHaveLength(20);
      expect(front.requests()).toBeGreaterThan(before);
    } finally {
      await svc.stop(5);
    }
  });

  test('a bulk body goes out byte for byte as given (the spool\'s bytes, not re-serialised)', async () => {
    const client = new EsClient({ urls: [front.url], caFile: pki.ca });
    try {
      // key order and spacing that JSON.stringify would not reproduce
      const body = Buffer.from('{ "index" : { "_index" : "bytes-check", "_id" : "1" } }\n{"b":1,  "a":"x"}\n');
      const r = await client.request('POST', '/_bulk?refresh=true', body, 'application/x-ndjson');
      expect(r.status).toBe(200);
      expect((r.body as { errors: boolean }).errors).toBe(false);
      const doc = await es.req('GET', '/bytes-check/_source/1');
      expect(doc.body).toEqual({ b: 1, a: 'x' });
    } finally {
      await client.close();
    }
  });

  test('insecure_skip_verify accepts the certificate without the CA', async () => {
    const client = new EsClient({ urls: [front.url], insecureSkipVerify: true });
    try {
      expect((await client.request('GET', '/_cluster/health')).status).toBe(200);
    } finally {
      await client.close();
    }
  });

  test('an untrusted certificate: the error says which setting to use', async () => {
    const client = new EsClient({ urls: [front.url] });
    try {
      await expect(client.request('GET', '/_cluster/health')).rejects.toThrow(/^Elasticsearch unreachable \(https:\/\/127\.0\.0\.1:\d+\): .*certificate.*set exporters\.elasticsearch\.tls\.ca_file/);
    } finally {
      await client.close();
    }
  });
});

test('no node answers: the error names the nodes and the reason', async () => {
  const a = `http://127.0.0.1:${await freePort()}`;
  const b = `http://127.0.0.1:${await freePort()}`;
  const client = new EsClient({ urls: [a, b] });
  try {
    await expect(client.request('GET', '/')).rejects.toThrow(new RegExp(`^Elasticsearch unreachable(:| \\().*${a.replace(/[.:/]/g, '\\$&')}, ${b.replace(/[.:/]/g, '\\$&')}`));
  } finally {
    await client.close();
  }
});

test('a CA file that cannot be read is named', () => {
  expect(() => new EsClient({ urls: ['https://127.0.0.1:9200'], caFile: '/nonexistent/http_ca.crt' })).toThrow('exporters.elasticsearch.tls.ca_file: cannot read /nonexistent/http_ca.crt');
});
