import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import * as echarts from "echarts";
import { type Stage, stages } from "../measure/stages.ts";
import type { FlowResult } from "../run-flow.ts";
import { engineLabel } from "./figures.ts";

const fontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
let wasmReady: Promise<void> | undefined;

/** ECharts' server-side SVG (no DOM, no canvas), rasterised by resvg's WebAssembly build: nothing native. */
async function toPng(svg: string, width: number): Promise<Uint8Array> {
  wasmReady ??= initWasm(readFileSync(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
  await wasmReady;
  // resvg in WebAssembly sees no system fonts: it is handed one (without it, the chart has no text).
  const font = existsSync(fontFile) ? { fontBuffers: [new Uint8Array(readFileSync(fontFile))], defaultFontFamily: "DejaVu Sans" } : undefined;
  return new Resvg(svg, { fitTo: { mode: "width", value: width }, background: "white", ...(font ? { font } : {}) }).render().asPng();
}

/** The stage's latencies at each arrival rate on each engine: p50, p95, p99 and max, on a log scale. */
export function stageChartSvg(stage: Stage, flows: FlowResult[]): string {
  const categories = flows.flatMap((f) => f.rates.map((r) => `${engineLabel(f) === "embedded" ? "embedded" : "Kafka+PG+Redis"}\n${r.rate}/s`));
  const series = (["p50", "p95", "p99", "max"] as const).map((p) => ({
    name: p,
    type: "bar" as const,
    data: flows.flatMap((f) => f.rates.map((r) => (Number.isFinite(r.stages[stage][p]) ? Math.max(0.1, Math.round(r.stages[stage][p] * 10) / 10) : null))),
    label: { show: true, position: "top" as const, fontSize: 9, formatter: (v: { value: number }) => (v.value >= 100 ? v.value.toFixed(0) : String(v.value)) },
  }));
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: 900, height: 420 });
  chart.setOption({
    animation: false,
    title: { text: `202 → ${stage}: latency at fixed arrival rates`, left: "center", textStyle: { fontSize: 15 } },
    legend: { bottom: 0 },
    grid: { left: 70, right: 20, top: 50, bottom: 70 },
    xAxis: { type: "category", data: categories },
    yAxis: { type: "log", name: "ms (log scale)", min: 1 },
    series,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** One PNG per stage in `dir` (performance-<stage>.png); returns the file names. */
export async function writeStageCharts(flows: FlowResult[], dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const stage of stages) {
    const name = `performance-${stage}.png`;
    await Bun.write(join(dir, name), await toPng(stageChartSvg(stage, flows), 900));
    names.push(name);
  }
  return names;
}
