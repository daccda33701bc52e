// Dashboard charts: each [data-chart] element names the json_script element holding its
// spec (built by tertulia.insights.dashboards.Chart.spec). No inline script: the CSP forbids it.
(function () {
  if (!window.echarts) return;
  const COLORS = { positive: "#2fb344", neutral: "#9aa0ac", negative: "#d63939" };
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const source = document.getElementById(el.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    const chart = window.echarts.init(el);
    const option = {
      // Tooltips draw text, never HTML: names come from people and networks.
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis", renderMode: "richText" },
      legend: { type: "scroll", top: 0 },
      toolbox: { right: 0, feature: { saveAsImage: { title: el.dataset.pngLabel, name: spec.key, pixelRatio: 2 } } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    };
    if (spec.kind === "pie") {
      const s = spec.series[0];
      option.series = [{
        name: s.name, type: "pie", radius: ["35%", "62%"], top: 24,
        data: spec.categories.map((c, i) => ({ name: c, value: s.values[i] })),
      }];
    } else {
      const horizontal = spec.kind === "hbar";
      const category = { type: "category", data: spec.categories };
      const value = { type: "value" };
      option.xAxis = horizontal ? value : category;
      option.yAxis = horizontal ? category : value;
      option.series = spec.series.map((s) => ({
        name: s.name, type: spec.kind === "line" ? "line" : "bar", stack: s.stack || undefined,
        data: s.values, itemStyle: COLORS[s.key] ? { color: COLORS[s.key] } : undefined,
      }));
    }
    chart.setOption(option);
    // Drill-down: a click opens the mentions behind the point, with the same filters.
    chart.on("click", (p) => {
      const s = spec.kind === "pie" ? spec.series[0] : spec.series[p.seriesIndex];
      const link = s && s.links && s.links[p.dataIndex];
      if (link) window.location.href = link;
    });
    window.addEventListener("resize", () => chart.resize());
  });
})();
