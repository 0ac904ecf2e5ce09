/** OSSEC's alerts.log text form of an alert document (times in UTC, as everywhere in Warden). */
import type { AlertDoc } from './alert';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `offset` is the byte position of the alert in the file, as OSSEC numbers alerts. */
export function formatAlertsLog(alert: AlertDoc, offset: number): string {
  const d = new Date(alert['@timestamp']);
  const secs = Math.floor(d.getTime() / 1000);
  const host = alert.predecoder?.hostname;
  const where = host && host !== alert.location ? `${host}->${alert.location}` : alert.location;
  let s = `** Alert ${secs}.${offset}:${alert.rule.mail ? ' mail ' : ''} - ${alert.rule.groups.map((g) => `${g},`).join('')}\n`;
  s += `${d.getUTCFullYear()} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${where}\n`;
  s += `Rule: ${alert.rule.id} (level ${alert.rule.level}) -> '${alert.rule.description}'\n`;
  const f = alert.data;
  if (f.srcip) s += `Src IP: ${f.srcip}\n`;
  if (f.srcport) s += `Src Port: ${f.srcport}\n`;
  if (f.dstip) s += `Dst IP: ${f.dstip}\n`;
  if (f.dstport) s += `Dst Port: ${f.dstport}\n`;
  if (f.dstuser) s += `User: ${f.dstuser}\n`;
  if (alert.full_log !== undefined) s += `${alert.full_log.slice(0, 1256)}\n`;
  if (alert.previous_output) s += `${alert.previous_output}\n`;
  return `${s}\n`;
}
