/**
 * The notification template (provisioning/grafana/alerting/templates.yaml) executed with Go's
 * text/template, the engine Grafana's alerting renders it with, on the data shape Grafana passes
 * (Alertmanager's template data plus Grafana's Values): the subject counts the further alerts,
 * each alert prints its count of Warden alerts and a link to them under Grafana's root URL.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const TEMPLATE = (parse(fs.readFileSync(path.join(ROOT, 'provisioning', 'grafana', 'alerting', 'templates.yaml'), 'utf8')) as { templates: Array<{ template: string }> }).templates[0].template;

const PROGRAM = `package main

import (
	"encoding/json"
	"os"
	"strings"
	"text/template"
	"time"
)

type KV map[string]string

type Alert struct {
	Status       string
	Labels       KV
	Annotations  KV
	StartsAt     time.Time
	EndsAt       time.Time
	GeneratorURL string
	Fingerprint  string
	SilenceURL   string
	DashboardURL string
	PanelURL     string
	Values       map[string]float64
	ValueString  string
}

type Alerts []Alert

func (as Alerts) Firing() []Alert {
	out := []Alert{}
	for _, a := range as {
		if a.Status == "firing" {
			out = append(out, a)
		}
	}
	return out
}

type Data struct {
	Receiver          string
	Status            string
	Alerts            Alerts
	GroupLabels       KV
	CommonLabels      KV
	CommonAnnotations KV
	ExternalURL       string
}

func main() {
	src, _ := os.ReadFile(os.Args[1])
	raw, _ := os.ReadFile(os.Args[2])
	var d Data
	if err := json.Unmarshal(raw, &d); err != nil {
		panic(err)
	}
	t := template.Must(template.New("").Option("missingkey=zero").Parse(string(src)))
	out := map[string]string{}
	for _, name := range []string{"warden.ossec.subject", "warden.ossec.mail"} {
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, name, d); err != nil {
			panic(err)
		}
		out[name] = b.String()
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`;

const alert = (agent: string, rule: string, level: string, count: number, startsAt: string) => ({
  Status: 'firing', StartsAt: startsAt, EndsAt: '0001-01-01T00:00:00Z', Values: { B: count, C: 1 },
  Labels: { alertname: 'Warden alert of level 10 or more', 'agent.name': agent, location: 'WinEvtLog', 'rule.id': rule, 'rule.level': level, 'rule.description.keyword': 'Windows: membership of an administrators group changed.' },
  Annotations: { summary: 'An alert of level 10 or more.' },
});

function render(alerts: unknown[]): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-template-'));
  try {
    fs.writeFileSync(path.join(dir, 'main.go'), PROGRAM);
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module wardentemplate\n\ngo 1.21\n');
    fs.writeFileSync(path.join(dir, 'template.tmpl'), TEMPLATE);
    fs.writeFileSync(path.join(dir, 'data.json'), JSON.stringify({ Receiver: 'warden-email', Status: 'firing', Alerts: alerts, ExternalURL: 'https://grafana.example/grafana/' }));
    const out = execFileSync('go', ['run', '.', 'template.tmpl', 'data.json'], { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' } });
    return JSON.parse(out) as Record<string, string>;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the subject names the first alert and counts the others; each alert carries its count and a link to its logs', () => {
  const three = render([alert('dc01', '18217', '12', 4, '2026-01-02T10:05:00Z'), alert('dc01', '40501', '15', 1, '2026-01-02T10:05:00Z'), alert('web1', '5712', '10', 2, '2026-01-02T10:05:00Z')]);
  expect(three['warden.ossec.subject']).toBe('OSSEC Notification - dc01 - Alert level 12 (+2 alerts)');
  const mail = three['warden.ossec.mail'];
  expect(mail.match(/OSSEC HIDS Notification\./g)).toHaveLength(3);
  expect(mail).toContain('Received From: (dc01) WinEvtLog');
  expect(mail).toContain('Rule: 18217 fired (level 12) -> "Windows: membership of an administrators group changed."');
  expect(mail).toContain('Alerts: 4');
  // the link keeps Grafana's root URL (its sub-path too) and covers the 5 minutes the rule counted
  const from = Date.parse('2026-01-02T10:00:00Z');
  expect(mail).toContain(`https://grafana.example/grafana/a/warden-hids-app/search?rule=18217&agent=dc01&from=${from}&to=${from + 300_000}`);
  expect(mail).toContain('--END OF NOTIFICATION');
  const one = render([alert('dc01', '18217', '12', 1, '2026-01-02T10:05:00Z')]);
  expect(one['warden.ossec.subject']).toBe('OSSEC Notification - dc01 - Alert level 12');
}, 300_000);
