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
  return {
    contains(ip: string): boolean {
      const family = isIP(ip);
      if (family === 0) return false;
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (deny.check(ip, type)) return false;
      return allowCount === 0 ? true : allow.check(ip, type);
    },
  };
}
