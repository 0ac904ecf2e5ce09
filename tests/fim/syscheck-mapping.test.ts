/** The syscheck shapes for the service (alert `syscheck` object, `warden-syscheck` document), from real FIM records. */
import { toRecord, type FimEvent } from '../../otel-processor/src/fim/events';
import { isSyscheck, syscheckAlertFields, syscheckStateDoc } from '../../otel-processor/src/alert/syscheck';
import type { FileState } from '../../otel-processor/src/fim/state';
import { mapRecord, type AgentIdentity } from '../../otel-processor/src/receiver/otlp/mapping';
import type { InRecord } from '../../otel-processor/src/receiver/otlp/decode';

const st = (over: Partial<FileState>): FileState => ({ size: 10, perm: '100644', uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: Date.UTC(2026, 10, 29, 10), inode: 42, md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64), ...over });

describe('syscheck shapes for Elasticsearch', () => {
  const mod: FimEvent = { event: 'modified', path: '/etc/passwd', mode: 'scheduled', type: 'file', before: st({}), after: st({ size: 12, sha256: 'd'.repeat(64) }), changed: ['size', 'sha256'], diff: '@@ -1 +1 @@\n-a\n+b', time: 1 };
  const data = toRecord(mod, 'h1').attributes;

  test('alert syscheck object: numbers, dates, diff; non-syscheck data gives null', () => {
    expect(isSyscheck(data)).toBe(true);
    const s = syscheckAlertFields(data)!;
    expect(s).toMatchObject({ path: '/etc/passwd', event: 'modified', size_before: 10, size_after: 12, inode_after: 42, perm_after: '100644', sha256_after: 'd'.repeat(64), mtime_before: '2026-11-29T10:00:00.000Z', diff: '@@ -1 +1 @@\n-a\n+b', changed_attributes: 'size,sha256' });
    expect(syscheckAlertFields({ srcip: '1.2.3.4' })).toBeNull();
    expect(syscheckAlertFields({ ...data, 'syscheck.size_after': 'huge' })!.size_after).toBeUndefined();
  });

  test('latest-state document: after values, or the last known ones for a deletion', () => {
    const a = syscheckStateDoc({ id: 'a1', name: 'web1' }, data, '2026-11-29T10:00:00Z')!;
    expect(a.id).toMatch(/^[0-9a-f]{40}$/);
    expect(a.doc).toMatchObject({ agent: { id: 'a1', name: 'web1' }, path: '/etc/passwd', event: 'modified', size: 12, sha256: 'd'.repeat(64) });
    const del = toRecord({ ...mod, event: 'deleted', after: null, changed: [], diff: undefined }, 'h1').attributes;
    const d = syscheckStateDoc({ id: 'a1', name: 'web1' }, del, '2026-11-29T11:00:00Z')!;
    expect(d.id).toBe(a.id); // same agent and path: the same document is overwritten
    expect(d.doc).toMatchObject({ event: 'deleted', size: 10, sha256: 'c'.repeat(64) });
    expect(syscheckStateDoc({ id: 'a2', name: 'db1' }, data, 'x')!.id).not.toBe(a.id);
  });
});

describe('where FIM records are filed', () => {
  test('a syscheck record without a file attribute gets the location syscheck, others otlp', () => {
    const agent: AgentIdentity = { id: 'h1', name: 'h1', ips: [] };
    const opts = { maxLogBytes: 65536, maxFields: 256 };
    const rec = (body: string, attributes: InRecord['attributes'], position: string): InRecord =>
      ({ body, attributes, timeMs: 1, observedMs: 0, severityNumber: 0, severityText: '', position });
    const fim = mapRecord(rec('File modified: /etc/passwd', { 'warden.event.kind': 'syscheck', 'syscheck.path': '/etc/passwd' }, '0'), agent, opts, 2);
    const plain = mapRecord(rec('hello', {}, '1'), agent, opts, 2);
    expect(fim.ok && fim.event.location).toBe('syscheck');
    expect(plain.ok && plain.event.location).toBe('otlp');
  });
});
