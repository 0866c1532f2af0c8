import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";
import { renderHtmlReport } from "../../src/eval/report/html-report.js";
import { runEvaluation } from "../../src/eval/run-evaluation.js";
import { scriptedReranker, wordOverlap } from "../support/scripted-backend.js";

const chromiumPath = "/usr/bin/chromium";
let browser: Browser;
let scratch: string;

before(async () => {
  // Never skip: without a browser this check would silently vanish from CI.
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: install it with "apt-get update && apt-get install -y chromium".`);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  scratch = await mkdtemp(join(tmpdir(), "openrerank-report-"));
});
after(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("HTML eval report", () => {
  it("is self-contained and its SVG charts render in Chromium with the expected bars", async () => {
    const reranker = scriptedReranker((query, document) => wordOverlap(query, document), { isTestModel: true });
    const { report } = await runEvaluation({ datasetDirectory: "tests/eval/fixtures/tiny-beir", loadReranker: async () => reranker });
    const html = await renderHtmlReport(report);
    assert.doesNotMatch(html, /<script/i, "no scripts");
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, "no external resources");
    const path = join(scratch, "report.html");
    await writeFile(path, html);

    const page = await browser.newPage();
    const external: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(path).href);
    assert.deepEqual(external, [], "the report loads nothing from the network");

    assert.match(await page.locator("h1").innerText(), /openrerank eval — tiny-beir \(test\)/);
    assert.match(await page.locator(".notice").first().innerText(), /random-weight test model: scores carry no meaning/);

    const charts = await page.$$eval("figure[data-chart]", (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector("svg")!;
        const box = svg.getBoundingClientRect();
        const bars = [...figure.querySelectorAll('path[aria-roledescription="bar"]')];
        return {
          id: figure.getAttribute("data-chart"),
          width: box.width,
          height: box.height,
          bars: bars.length,
          barsWithArea: bars.filter((bar) => {
            const rect = bar.getBoundingClientRect();
            return rect.width > 0 && rect.height > 0;
          }).length,
          lines: figure.querySelectorAll("g.mark-line path").length,
        };
      }),
    );
    assert.deepEqual(
      charts.map((chart) => chart.id),
      ["metrics", "ndcg-delta", "latency"],
    );
    for (const chart of charts) assert.ok(chart.width > 100 && chart.height > 100, `${chart.id} renders at ${chart.width}×${chart.height}`);
    const [metrics, delta, latency] = charts;
    assert.equal(metrics.bars, 10, "5 metrics × (first stage, reranked)");
    assert.equal(metrics.barsWithArea, 10, "every metric is above 0 on this fixture");
    assert.equal(delta.bars, 21, "21 ΔnDCG@10 bins");
    assert.ok(delta.barsWithArea >= 2, "the 'unchanged' and the 'worse' bins have queries");
    assert.equal(latency.lines, 2, "one latency line per stage");
    await page.close();
  });
});
