/** `<srcip>`/`<dstip>` lists: addresses and CIDR blocks (v4 and v6), `!` negates an entry. */
import { BlockList, isIP } from 'node:net';

export interface IpList {
  contains(ip: string): boolean;
}

function addEntry(list: BlockList, entry: string): void {
  const slash = entry.indexOf('/');
  const addr = slash >= 0 ? entry.slice(0, slash) : entry;
  const family = isIP(addr);
  if (family === 0) throw new Error(`'${entry}' is not an IP address or CIDR block`);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (slash < 0) { list.addAddress(addr, type); return; }
  const mask = entry.slice(slash + 1);
  let prefix: number;
  if (/^\d+$/.test(mask)) prefix = Number(mask);
  else if (family === 4 && isIP(mask) === 4) prefix = netmaskToPrefix(mask, entry);
  else throw new Error(`'${entry}' has an invalid netmask`);
  if (prefix > (family === 6 ? 128 : 32)) throw new Error(`'${entry}' has an invalid prefix length`);
  list.addSubnet(addr, prefix, type);
}

function netmaskToPrefix(mask: string, entry: string): number {
  const n = mask.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  let prefix = 0;
  let seenZero = false;
  for (let bit = 31; bit >= 0; bit--) {
    const one = Math.floor(n / 2 ** bit) % 2 === 1;
    if (one && seenZero) throw new Error(`'${entry}' has a non-contiguous netmask`);
    if (one) prefix++; else seenZero = true;
  }
  return prefix;
}

/** An IPv4 entry as the inclusive range of addresses it covers (host bits of a subnet ignored, as BlockList does). */
interface V4Range { lo: number; hi: number }

function v4Range(entry: string): V4Range | null {
  const slash = entry.indexOf('/');
  const addr = slash >= 0 ? entry.slice(0, slash) : entry;
  const value = ipv4Value(addr);
  if (value < 0) return null;
  if (slash < 0) return { lo: value, hi: value };
  const mask = entry.slice(slash + 1);
  const prefix = /^\d+$/.test(mask) ? Number(mask) : netmaskToPrefix(mask, entry);
  const size = 2 ** (32 - prefix);
  const lo = Math.floor(value / size) * size;
  return { lo, hi: lo + size - 1 };
}

/**
 * A dotted quad's 32-bit value, or -1 when `ip` is not one: exactly the IPv4 text net.isIP
 * accepts (four decimal octets up to 255, no leading zero). Read in place, without allocating.
 */
function ipv4Value(ip: string): number {
  const len = ip.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let dots = 0;
  let i = 0;
  for (;;) {
    const from = i;
    let octet = 0;
    while (i < len) {
      const d = ip.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      octet = octet * 10 + d;
      i++;
    }
    const digits = i - from;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && ip.charCodeAt(from) === 48)) return -1;
    value = value * 256 + octet;
    if (i === len) return dots === 3 ? value : -1;
    if (ip.charCodeAt(i) !== 46 || ++dots > 3) return -1;
    i++;
  }
}

function inRanges(ranges: readonly V4Range[], v: number): boolean {
  for (let i = 0; i < ranges.length; i++) if (v >= ranges[i].lo && v <= ranges[i].hi) return true;
  return false;
}

export function compileIpList(text: string): IpList {
  const entries = text.split(/[,\s]+/).filter((e) => e.length > 0);
  if (entries.length === 0) throw new Error('empty IP list');
  const allow = new BlockList();
  const deny = new BlockList();
  let allowCount = 0;
  for (const raw of entries) {
    if (raw.startsWith('!')) addEntry(deny, raw.slice(1));
    else { addEntry(allow, raw); allowCount++; }
  }
  const slow = (ip: string, family: number): boolean => {
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (deny.check(ip, type)) return false;
    return allowCount === 0 ? true : allow.check(ip, type);
  };
  // An all-IPv4 list answers IPv4 addresses itself: BlockList.check costs a native call and
  // microseconds per address. IPv6 addresses (which may map IPv4 ones) and lists with IPv6
  // entries go to BlockList.
  const allowV4: V4Range[] = [];
  const denyV4: V4Range[] = [];
  for (const raw of entries) {
    const negated = raw.startsWith('!');
    const r = v4Range(negated ? raw.slice(1) : raw);
    if (r === null) {
      return { contains: (ip) => { const family = isIP(ip); return family !== 0 && slow(ip, family); } };
    }
    (negated ? denyV4 : allowV4).push(r);
  }
  return {
    contains(ip: string): boolean {
      const v = ipv4Value(ip);
      if (v < 0) return isIP(ip) === 6 && slow(ip, 6);
      if (inRanges(denyV4, v)) return false;
      return allowV4.length === 0 || inRanges(allowV4, v);
    },
  };
}
