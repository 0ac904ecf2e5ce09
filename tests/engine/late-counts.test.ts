// A correlation list counts its entries per key value only once a rule first asks; the counts it
// then gives must be those of a list that counted from the start (exact and sketch alike).
import { History, SidHistory } from '../../otel-processor/src/engine/correlate/state';
import { LogEvent } from '../../otel-processor/src/engine/event';

const T0 = 1_700_000_000_000;
const byIp = { field: 'srcip', get: (e: LogEvent) => e.srcip };
const byUser = { field: 'dstuser', get: (e: LogEvent) => e.dstuser };

function recount(h: History, keyIndex: number, value: string): number {
  let n = 0;
  for (let i = h.head; i < h.tail; i++) if ((keyIndex === 0 ? h.events[i]!.srcip : h.events[i]!.dstuser) === value) n++;
  return n;
}

describe('correlation lists counting from the first question', () => {
  test.each([
    ['exact (group list)', () => new History([byIp, byUser])],
    ['sketch (sid list)', () => new SidHistory(60, [byIp, byUser])],
  ])('%s: counts asked first after filings, repeated filings and drops equal a recount, and stay so', (_, make) => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (const firstAskAt of [0, 1, 37, 500, 3000]) {
      const h = make();
      for (let i = 0; i < 4000; i++) {
        const e = new LogEvent(`l${i}`, 'x', 'h', T0 + i);
        e.srcip = rand(10) === 0 ? null : `10.0.0.${rand(30)}`;
        e.dstuser = rand(3) === 0 ? null : `u${rand(5)}`;
        if (i >= firstAskAt) {
          const needed = 1 + rand(6);
          // a rule asks about the event's own value (then files it), or about another event's
          const own = rand(2) === 0 && e.srcip !== null;
          const asker = own ? e : new LogEvent('other', 'x', 'h', T0 + i);
          const ip = own ? e.srcip! : (asker.srcip = `10.0.0.${rand(30)}`);
          const reach = h.mayReach(0, ip, needed, asker);
          // exact: the answer; sketch: an upper bound (never false when as many hold the value)
          if (h instanceof SidHistory) {
            if (recount(h, 0, ip) >= needed) expect(reach).toBe(true);
          } else expect(reach).toBe(recount(h, 0, ip) >= needed);
          const user = `u${rand(5)}`;
          expect(h.countOf(1, user)).toBe(recount(h, 1, user));
        }
        if (h instanceof SidHistory) h.add(e);
        else h.pushTimes(e, 1 + rand(4)); // one event filed several times in a row, as OSSEC's tree places
        if (!(h instanceof SidHistory) && rand(3) === 0) h.dropOldestTimes(1 + rand(8));
        if (h instanceof SidHistory && rand(40) === 0) h.dropOldest();
      }
      for (let v = 0; v < 30; v++) expect(h.countOf(0, `10.0.0.${v}`)).toBe(recount(h, 0, `10.0.0.${v}`));
      for (let v = 0; v < 5; v++) expect(h.countOf(1, `u${v}`)).toBe(recount(h, 1, `u${v}`));
    }
  });

  test('a list never asked drops what it filed and then answers as if it had counted all along', () => {
    const h = new History([byIp]);
    const events: LogEvent[] = [];
    for (let i = 0; i < 300; i++) {
      const e = new LogEvent(`l${i}`, 'x', 'h', T0 + i);
      e.srcip = `10.0.${i % 3}.1`;
      events.push(e);
      h.pushTimes(e, 2);
    }
    h.dropOldestTimes(400); // the first 200 events go
    expect(h.size).toBe(200);
    expect(h.countOf(0, '10.0.0.1')).toBe(recount(h, 0, '10.0.0.1'));
    expect(h.countOf(0, '10.0.0.1')).toBeGreaterThan(0);
    const e = events[299];
    expect(h.mayReach(0, e.srcip!, recount(h, 0, e.srcip!), e)).toBe(true);
    expect(h.mayReach(0, e.srcip!, recount(h, 0, e.srcip!) + 1, e)).toBe(false);
    h.dropOldestTimes(200);
    expect(h.countOf(0, '10.0.0.1')).toBe(0);
  });
});
