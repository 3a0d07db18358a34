/**
 * `npx tsx scripts/reliability-table.ts`: turns what e2e/hostile-fuzz.spec.ts counted
 * (bench/results/reliability-hostile.json) into rows of the attack table in
 * bench/results/reliability.md. Rows whose "how measured" cell names that spec are replaced;
 * every other row (other attacks, other engineers) is kept as it is. No number is typed by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const JSON_PATH = fileURLToPath(new URL('../bench/results/reliability-hostile.json', import.meta.url));
const MD_PATH = fileURLToPath(new URL('../bench/results/reliability.md', import.meta.url));
const SOURCE = 'e2e/hostile-fuzz.spec.ts';
const HEADER = '| attack | attempts | failures detected | results lost | results duplicated | how measured |';
const RULE = '| --- | ---: | ---: | ---: | ---: | --- |';

interface Counts {
  measuredAt: string;
  jobs: number;
  partitions: number;
  committed: number;
  duplicates: number;
  lost: number;
  closes: { refused: number; left: number; frames: number; byCode: Record<string, number>; banned: number };
  fuzz: { connections: number; framesSent: number; closedByCoordinator: number; mutations: Record<string, number> };
  flood: { connections: number; framesSent: number; closedByCoordinator: number };
  insiders: { attack: string; welcomed: boolean; closedByCoordinator: boolean; code?: string }[];
}

const c = JSON.parse(readFileSync(JSON_PATH, 'utf8')) as Counts;
const code = (k: string): number => c.closes.byCode[k] ?? 0;
const insiderRow = (attack: string, label: string, expected: string): string => {
  const runs = c.insiders.filter((i) => i.attack === attack);
  const caught = runs.filter((i) => i.closedByCoordinator && i.code === expected).length;
  return `| ${label} | ${runs.length} | ${caught} (closed with \`${expected}\`) | ${c.lost} | ${c.duplicates} | ${SOURCE}: insider joins with the right token, then attacks; reason read from the coordinator's log |`;
};
const mutations = Object.entries(c.fuzz.mutations).sort().map(([k, n]) => `${k} ${n}`).join(', ');
const rows = [
  `| random and mutated frames from a rogue peer (${mutations}) | ${c.fuzz.connections} links; ${c.closes.frames} frames taken by the coordinator over all ${c.closes.refused + c.closes.left} closed links, flood and insiders included (${c.fuzz.framesSent + c.flood.framesSent} sent by the fuzzer and the flood) | ${c.fuzz.closedByCoordinator} links closed by the coordinator (codes over all closed links, insiders included: bad-frame ${code('bad-frame')}, message-too-large ${code('message-too-large')}, schema-mismatch ${code('schema-mismatch')}, bad-token ${code('bad-token')}, protocol-violation ${code('protocol-violation')}, internal ${code('internal')}) | ${c.lost} | ${c.duplicates} | ${SOURCE}: frames counted by the coordinator up to each link's first violation (\`fabric.linkCloseStats()\`); results: ${c.committed} of ${c.partitions} describe tasks over ${c.jobs} jobs committed once, every output equal to the single-thread reference |`,
  `| join flood: one wrong token, ${c.flood.connections} joins in a burst | ${c.flood.connections} | ${c.flood.closedByCoordinator} closed; \`rate-limited\` ${code('rate-limited')} over the run | ${c.lost} | ${c.duplicates} | ${SOURCE}: 20 joins per token per 10 s; the rest refused |`,
  insiderRow('never-sent', 'insider: result for a task never sent', 'protocol-violation'),
  insiderRow('replay', 'insider: an ack replayed for a blob already acknowledged', 'protocol-violation'),
  insiderRow('unknown-blob', 'insider: ack for a blob never sent', 'protocol-violation'),
  insiderRow('wrong-kind', 'insider: result of the wrong kind for a real task', 'schema-mismatch'),
];

const intro = `# Reliability under attack and failure

Each row is one attack or failure, with what the coordinator detected and what the job lost or
counted twice (the target for both is zero). Rows are generated from test runs, not typed in:
rows measured by \`${SOURCE}\` come from \`bench/results/reliability-hostile.json\` through
\`npx tsx scripts/reliability-table.ts\`.

${HEADER}
${RULE}
`;
let text = existsSync(MD_PATH) ? readFileSync(MD_PATH, 'utf8') : intro;
const lines = text.split('\n');
const kept = lines.filter((l) => !(l.startsWith('|') && l.includes(SOURCE)));
const rule = kept.indexOf(RULE);
if (rule < 0) throw new Error(`${MD_PATH} has no table rule line "${RULE}"; add the table header back`);
let end = rule + 1;
while (end < kept.length && kept[end]!.startsWith('|')) end++;
kept.splice(end, 0, ...rows);
text = kept.join('\n');
text = text.replace(/\nLast hostile-peer run: .*\n/, '\n');
text = `${text.trimEnd()}\n\nLast hostile-peer run: ${c.measuredAt} (2 shared cores, headless Chromium, loopback WebRTC).\n`;
writeFileSync(MD_PATH, text);
console.log(`wrote ${rows.length} rows to ${MD_PATH}`);
