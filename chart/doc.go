// Package chart draws the product's charts (evaluation quality against
// cost, quality over time, plan cost against volume, governance spend) with
// Apache ECharts, vendored into assets/ by scripts/vendor-echarts.sh and
// embedded in the binary, so no page loads anything from a CDN.
//
// Go describes a chart (axes, series, thresholds); HTML renders it as a
// figure holding an empty, sized element, the chart's option as a JSON data
// block and a caption, and the browser draws it with the SVG renderer once
// Scripts (served by Assets) have loaded. Pages that show charts allow
// scripts from their own origin (CSP "script-src 'self'"); the data block
// is not executable, so no inline script is needed. Standalone reports
// (`eval --html FILE`) use InlineScripts instead, so the file opens offline.
//
// Labels of points never overlap (ECharts moves them apart), many series
// get distinct colours and symbols, and every chart has an accessible name
// and a text summary.
package chart
