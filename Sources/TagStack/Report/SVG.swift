// A small SVG renderer for report plots: line plots, scatter (and reliability) diagrams and bar charts, each
// with axes, ticks, axis labels with units, a title and a legend. Output is plain SVG 1.1 text (valid XML,
// no script, no external font or file), sized by a viewBox so it scales to the page and prints.

import Foundation

/// Escapes text for XML content and attribute values.
public func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}

/// A number for SVG coordinates: fixed two decimals, no exponent.
@inline(__always) func coord(_ v: Double) -> String { String(format: "%.2f", v.isFinite ? v : 0) }

/// Colours of the series, in order (distinct in print and for common colour blindness).
public let plotColors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]

/// An axis: label, unit (shown in brackets), range, ticks; linear, or logarithmic (base 10) with ticks at the
/// powers of ten labelled in data units (1, 10, 100, 1000).
public struct PlotAxis: Sendable {
    public var label: String
    public var unit: String?
    public var range: ClosedRange<Double>
    public var ticks: [Double]
    /// Logarithmic: values and `range` in data units (> 0), drawn at their log10.
    public var logarithmic = false

    public init(_ label: String, unit: String? = nil, range: ClosedRange<Double>, ticks: [Double]? = nil) {
        self.label = label; self.unit = unit
        let r = range.lowerBound < range.upperBound ? range : (range.lowerBound - 0.5)...(range.lowerBound + 0.5)
        self.range = r
        self.ticks = ticks ?? PlotAxis.niceTicks(r)
    }

    /// A log10 axis over positive data `range` (widened to whole powers of ten), ticked at each power of ten.
    public static func log10(_ label: String, unit: String? = nil, range: ClosedRange<Double>) -> PlotAxis {
        let lo = Foundation.floor(Foundation.log10(max(range.lowerBound, 1e-12)))
        let hi = max(lo + 1, Foundation.ceil(Foundation.log10(max(range.upperBound, 1e-12))))
        var a = PlotAxis(label, unit: unit, range: Foundation.pow(10, lo)...Foundation.pow(10, hi),
                         ticks: stride(from: lo, through: hi, by: 1).map { Foundation.pow(10, $0) })
        a.logarithmic = true
        return a
    }

    /// Where `v` lies along the axis, 0 at the range's start and 1 at its end (clamped).
    public func fraction(_ v: Double) -> Double {
        let c = min(max(v, range.lowerBound), range.upperBound)
        if logarithmic {
            let lo = Foundation.log10(range.lowerBound), hi = Foundation.log10(range.upperBound)
            return (Foundation.log10(c) - lo) / (hi - lo)
        }
        return (c - range.lowerBound) / (range.upperBound - range.lowerBound)
    }

    public var title: String { unit.map { "\(label) (\($0))" } ?? label }

    /// About five round tick values inside `range`.
    public static func niceTicks(_ range: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(count)
        let mag = pow(10, floor(Foundation.log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = ceil(range.lowerBound / step - 1e-9) * step
        var out: [Double] = []
        while t <= range.upperBound + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    public static func format(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}

/// One series of a line or scatter plot.
public struct PlotSeries: Sendable {
    public enum Style: Sendable { case line, points, linePoints }
    public var name: String
    public var points: [(x: Double, y: Double)]
    public var style: Style
    /// Point radii (one per point, or empty for the default).
    public var radii: [Double]
    public var color: String?
    public var dashed: Bool

    public init(_ name: String, _ points: [(x: Double, y: Double)], style: Style = .line, radii: [Double] = [],
                color: String? = nil, dashed: Bool = false) {
        self.name = name; self.points = points; self.style = style; self.radii = radii; self.color = color; self.dashed = dashed
    }
}

/// Common frame of every plot: size, margins, title, axes and legend drawing.
struct PlotFrame {
    var width: Double, height: Double
    var left = 64.0, right = 16.0, top = 34.0, bottom = 52.0
    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    func open(_ title: String, _ description: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(coord(width)) \(coord(height))" width="\(Int(width))" height="\(Int(height))" role="img" aria-label="\(xmlEscape(title))" font-family="sans-serif" font-size="12">
        <title>\(xmlEscape(title))</title><desc>\(xmlEscape(description))</desc>
        <rect x="0" y="0" width="\(coord(width))" height="\(coord(height))" fill="#ffffff"/>
        <text x="\(coord(width / 2))" y="20" text-anchor="middle" font-size="14" font-weight="bold">\(xmlEscape(title))</text>

        """
    }

    /// Legend items laid out below the x axis's title, left to right and wrapping, so a legend never covers
    /// data and is never cut off: (x, row) per item, and the rows used.
    static func legendLayout(_ names: [String], width: Double, left: Double) -> (positions: [(x: Double, row: Int)], rows: Int) {
        var x = left, row = 0, out: [(x: Double, row: Int)] = []
        for name in names {
            let w = 30 + legendTextWidth(name)
            if x > left && x + w > width - 8 { x = left; row += 1 }
            out.append((x, row)); x += w + 14
        }
        return (out, names.isEmpty ? 0 : row + 1)
    }

    /// Approximate width of 11 px sans-serif text (a wide-ish average advance, so it errs on the wide side).
    static func legendTextWidth(_ s: String) -> Double { Double(s.count) * 6.3 }

    static let legendRowHeight = 16.0

    /// The legend rows' extra height below the plot.
    static func legendHeight(_ names: [String], width: Double, left: Double) -> Double {
        let rows = legendLayout(names.filter { !$0.isEmpty }, width: width, left: left).rows
        return rows == 0 ? 0 : Double(rows) * legendRowHeight + 6
    }

    /// Draws the legend below the x axis's title (the frame's `bottom` includes `legendHeight`).
    func legend(_ items: [(String, String, Bool)], marker: Bool = false) -> String {
        let shown = items.filter { !$0.0.isEmpty }
        let layout = PlotFrame.legendLayout(shown.map(\.0), width: width, left: left)
        let y0 = height - PlotFrame.legendHeight(shown.map(\.0), width: width, left: left) + 8
        var s = ""
        for ((name, color, dashed), pos) in zip(shown, layout.positions) {
            let x = pos.x, y = y0 + Double(pos.row) * PlotFrame.legendRowHeight
            if marker {
                s += "<circle cx=\"\(coord(x + 9))\" cy=\"\(coord(y))\" r=\"4\" fill=\"\(color)\" fill-opacity=\"0.6\" stroke=\"\(color)\"/>"
            } else {
                s += "<line x1=\"\(coord(x))\" y1=\"\(coord(y))\" x2=\"\(coord(x + 18))\" y2=\"\(coord(y))\" stroke=\"\(color)\" stroke-width=\"3\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            }
            s += "<text x=\"\(coord(x + 24))\" y=\"\(coord(y + 4))\" font-size=\"11\">\(xmlEscape(name))</text>\n"
        }
        return s
    }

    func yAxis(_ a: PlotAxis, _ py: (Double) -> Double) -> String {
        var s = "<line x1=\"\(coord(left))\" y1=\"\(coord(top))\" x2=\"\(coord(left))\" y2=\"\(coord(top + plotHeight))\" stroke=\"#333\"/>\n"
        for t in a.ticks {
            let y = py(t)
            s += "<line x1=\"\(coord(left - 4))\" y1=\"\(coord(y))\" x2=\"\(coord(left + plotWidth))\" y2=\"\(coord(y))\" stroke=\"#e3e3e3\"/>"
            s += "<text x=\"\(coord(left - 7))\" y=\"\(coord(y + 4))\" text-anchor=\"end\">\(PlotAxis.format(t))</text>\n"
        }
        let cy = top + plotHeight / 2
        s += "<text x=\"14\" y=\"\(coord(cy))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(coord(cy)))\">\(xmlEscape(a.title))</text>\n"
        return s
    }

    func xAxisLine() -> String {
        "<line x1=\"\(coord(left))\" y1=\"\(coord(top + plotHeight))\" x2=\"\(coord(left + plotWidth))\" y2=\"\(coord(top + plotHeight))\" stroke=\"#333\"/>\n"
    }

    /// Extra height under the x axis's title taken by the legend.
    var legendSpace = 0.0

    func xTitle(_ text: String) -> String {
        "<text x=\"\(coord(left + plotWidth / 2))\" y=\"\(coord(height - legendSpace - 10))\" text-anchor=\"middle\">\(xmlEscape(text))</text>\n"
    }
}

/// A line or scatter plot over two linear axes; `diagonal` draws y = x (a reliability diagram's ideal).
public struct LinePlot: Sendable {
    public var title: String
    public var x: PlotAxis
    public var y: PlotAxis
    public var series: [PlotSeries]
    public var diagonal: Bool
    public var width: Double
    public var height: Double

    public init(title: String, x: PlotAxis, y: PlotAxis, series: [PlotSeries], diagonal: Bool = false,
                width: Double = 560, height: Double = 380) {
        self.title = title; self.x = x; self.y = y; self.series = series; self.diagonal = diagonal
        self.width = width; self.height = height
    }

    public func svg() -> String {
        let names = series.map(\.name)
        let extra = PlotFrame.legendHeight(names, width: width, left: 64)
        var f = PlotFrame(width: width, height: height + extra)
        f.bottom += extra; f.legendSpace = extra
        func px(_ v: Double) -> Double { f.left + x.fraction(v) * f.plotWidth }
        func py(_ v: Double) -> Double { f.top + f.plotHeight - y.fraction(v) * f.plotHeight }
        var s = f.open(title, "\(y.title) against \(x.title): " + series.map(\.name).joined(separator: ", "))
        s += f.yAxis(y, py)
        s += f.xAxisLine()
        for t in x.ticks {
            let xx = px(t)
            s += "<line x1=\"\(coord(xx))\" y1=\"\(coord(f.top + f.plotHeight))\" x2=\"\(coord(xx))\" y2=\"\(coord(f.top + f.plotHeight + 4))\" stroke=\"#333\"/>"
            s += "<text x=\"\(coord(xx))\" y=\"\(coord(f.top + f.plotHeight + 17))\" text-anchor=\"middle\">\(PlotAxis.format(t))</text>\n"
        }
        s += f.xTitle(x.title)
        if diagonal {
            let lo = max(x.range.lowerBound, y.range.lowerBound), hi = min(x.range.upperBound, y.range.upperBound)
            s += "<line x1=\"\(coord(px(lo)))\" y1=\"\(coord(py(lo)))\" x2=\"\(coord(px(hi)))\" y2=\"\(coord(py(hi)))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
        }
        var legend: [(String, String, Bool)] = []
        var pointsOnly = true
        for (k, se) in series.enumerated() {
            if se.style != .points { pointsOnly = false }
            let color = se.color ?? plotColors[k % plotColors.count]
            legend.append((se.name, color, se.dashed))
            if se.style != .points, se.points.count > 1 {
                let d = se.points.map { "\(coord(px($0.x))),\(coord(py($0.y)))" }.joined(separator: " ")
                s += "<polyline points=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(se.dashed ? " stroke-dasharray=\"6 3\"" : "")/>\n"
            }
            if se.style != .line {
                for (i, p) in se.points.enumerated() {
                    let r = i < se.radii.count ? se.radii[i] : 3
                    s += "<circle cx=\"\(coord(px(p.x)))\" cy=\"\(coord(py(p.y)))\" r=\"\(coord(r))\" fill=\"\(color)\" fill-opacity=\"0.6\" stroke=\"\(color)\"/>"
                }
                s += "\n"
            }
        }
        if extra > 0 { s += f.legend(legend, marker: pointsOnly) }
        return s + "</svg>"
    }
}

/// Vertical grouped bars: one group per category, one bar per series.
public struct BarChart: Sendable {
    public var title: String
    public var categories: [String]
    public var series: [(name: String, values: [Double])]
    public var y: PlotAxis
    public var xLabel: String
    public var width: Double
    public var height: Double
    /// Labels written on top of each bar (e.g. the value), per series; empty: none.
    public var showValues: Bool

    public init(title: String, categories: [String], series: [(name: String, values: [Double])], y: PlotAxis,
                xLabel: String, showValues: Bool = false, width: Double? = nil, height: Double = 380) {
        self.title = title; self.categories = categories; self.series = series; self.y = y; self.xLabel = xLabel
        self.showValues = showValues
        self.width = width ?? max(560, min(1400, 80 + Double(categories.count * max(series.count, 1)) * 12))
        self.height = height
    }

    public func svg() -> String {
        let rotate = categories.count > 8 || (categories.map(\.count).max() ?? 0) > 10
        let longest = Double(categories.map(\.count).max() ?? 0)
        let extra = series.count > 1 ? PlotFrame.legendHeight(series.map(\.name), width: width, left: 64) : 0
        var f = PlotFrame(width: width, height: height + (rotate ? min(longest, 28) * 5.5 : 0) + extra)
        f.bottom = (rotate ? 30 + min(longest, 28) * 5.5 : 52) + extra
        f.legendSpace = extra
        func py(_ v: Double) -> Double { f.top + f.plotHeight - (min(max(v, y.range.lowerBound), y.range.upperBound) - y.range.lowerBound) / (y.range.upperBound - y.range.lowerBound) * f.plotHeight }
        var s = f.open(title, "\(y.title) per \(xLabel): " + series.map(\.name).joined(separator: ", "))
        s += f.yAxis(y, py)
        s += f.xAxisLine()
        let band = f.plotWidth / Double(max(categories.count, 1))
        let barWidth = min(band * 0.8 / Double(max(series.count, 1)), 70)
        for (c, name) in categories.enumerated() {
            let x0 = f.left + (Double(c) + 0.5) * band - barWidth * Double(series.count) / 2
            for (k, se) in series.enumerated() where c < se.values.count {
                let v = se.values[c]
                let top = py(max(v, y.range.lowerBound)), base = py(max(y.range.lowerBound, min(0, y.range.upperBound)))
                let x = x0 + Double(k) * barWidth
                s += "<rect x=\"\(coord(x))\" y=\"\(coord(min(top, base)))\" width=\"\(coord(max(barWidth - 1, 0.5)))\" height=\"\(coord(abs(base - top)))\" fill=\"\(plotColors[k % plotColors.count])\"><title>\(xmlEscape(name)) — \(xmlEscape(se.name)): \(PlotAxis.format(v))</title></rect>"
                if showValues {
                    s += "<text x=\"\(coord(x + barWidth / 2))\" y=\"\(coord(min(top, base) - 3))\" text-anchor=\"middle\" font-size=\"10\">\(String(format: "%.3f", v))</text>"
                }
            }
            let cx = f.left + (Double(c) + 0.5) * band, ly = f.top + f.plotHeight + 14
            if rotate {
                s += "<text x=\"\(coord(cx))\" y=\"\(coord(ly))\" text-anchor=\"end\" font-size=\"10\" transform=\"rotate(-60 \(coord(cx)) \(coord(ly)))\">\(xmlEscape(name))</text>\n"
            } else {
                s += "<text x=\"\(coord(cx))\" y=\"\(coord(ly))\" text-anchor=\"middle\">\(xmlEscape(name))</text>\n"
            }
        }
        s += f.xTitle(xLabel)
        if series.count > 1 { s += f.legend(series.enumerated().map { ($0.element.name, plotColors[$0.offset % plotColors.count], false) }) }
        return s + "</svg>"
    }
}

/// Candidates as dots on one zoomed score axis, one row each (simplest first, top down): the chosen one
/// highlighted and labelled, every score written beside its dot, and the margin drawn as a band from the
/// chosen score towards "better" — where a more complex candidate still would not have replaced it. Bars from
/// 0 would make a 0.003 margin invisible; the axis spans only the scores and the band.
public struct DotPlot: Sendable {
    public var title: String
    public var candidates: [(name: String, score: Double)]
    public var chosen: String
    /// The band's width (nil: no band) and its label.
    public var margin: Double?
    public var marginLabel: String
    public var lowerIsBetter: Bool
    public var axis: String
    public var width: Double

    public init(title: String, candidates: [(name: String, score: Double)], chosen: String, margin: Double?,
                marginLabel: String, lowerIsBetter: Bool, axis: String, width: Double = 560) {
        self.title = title; self.candidates = candidates; self.chosen = chosen; self.margin = margin
        self.marginLabel = marginLabel; self.lowerIsBetter = lowerIsBetter; self.axis = axis; self.width = width
    }

    public static let chosenColor = "#d62728", otherColor = "#1f77b4", bandColor = "#ffd54f"

    /// The band: from the chosen score by `margin` towards better (nil without a margin or a chosen candidate).
    public var band: ClosedRange<Double>? {
        guard let m = margin, m > 0, let c = candidates.first(where: { $0.name == chosen }) else { return nil }
        return lowerIsBetter ? (c.score - m)...c.score : c.score...(c.score + m)
    }

    /// The zoomed range: the scores and the band, padded by a tenth of their span (at least 0.002 each side).
    public var range: ClosedRange<Double> {
        let values = candidates.map(\.score).filter(\.isFinite) + (band.map { [$0.lowerBound, $0.upperBound] } ?? [])
        let lo = values.min() ?? 0, hi = values.max() ?? 1
        let pad = max((hi - lo) * 0.12, 0.002)
        return (lo - pad)...(hi + pad)
    }

    public func svg() -> String {
        let rowHeight = 26.0
        let nameWidth = min(200, 16 + Double(candidates.map(\.name.count).max() ?? 4) * 6.8)
        var f = PlotFrame(width: width, height: 34 + rowHeight * Double(max(candidates.count, 1)) + 10 + 52 + 22)
        f.left = nameWidth; f.right = 70; f.top = 34; f.bottom = 52 + 22; f.legendSpace = 22
        let axis = PlotAxis(self.axis, range: range)
        func px(_ v: Double) -> Double { f.left + axis.fraction(v) * f.plotWidth }
        var s = f.open(title, "\(axis.title) of each candidate; chosen: \(chosen)" + (margin.map { "; margin \(PlotAxis.format($0))" } ?? ""))
        let bottom = f.top + f.plotHeight
        if let b = band {
            s += "<rect x=\"\(coord(px(b.lowerBound)))\" y=\"\(coord(f.top))\" width=\"\(coord(max(px(b.upperBound) - px(b.lowerBound), 1)))\" height=\"\(coord(f.plotHeight))\" fill=\"\(Self.bandColor)\" fill-opacity=\"0.45\"><title>\(xmlEscape(marginLabel))</title></rect>\n"
        }
        for t in axis.ticks {
            let x = px(t)
            s += "<line x1=\"\(coord(x))\" y1=\"\(coord(f.top))\" x2=\"\(coord(x))\" y2=\"\(coord(bottom + 4))\" stroke=\"#e3e3e3\"/>"
            s += "<text x=\"\(coord(x))\" y=\"\(coord(bottom + 17))\" text-anchor=\"middle\">\(PlotAxis.format(t))</text>\n"
        }
        s += f.xAxisLine()
        s += f.xTitle(axis.title + (lowerIsBetter ? " — lower is better ←" : " — higher is better →"))
        for (i, c) in candidates.enumerated() {
            let y = f.top + rowHeight * (Double(i) + 0.5) + 5
            let isChosen = c.name == chosen
            s += "<text x=\"\(coord(f.left - 8))\" y=\"\(coord(y + 4))\" text-anchor=\"end\"\(isChosen ? " font-weight=\"bold\"" : "")>\(xmlEscape(c.name))</text>"
            s += "<line x1=\"\(coord(f.left))\" y1=\"\(coord(y))\" x2=\"\(coord(f.left + f.plotWidth))\" y2=\"\(coord(y))\" stroke=\"#eeeeee\" stroke-dasharray=\"2 3\"/>"
            guard c.score.isFinite else { continue }
            let x = px(c.score)
            s += "<circle cx=\"\(coord(x))\" cy=\"\(coord(y))\" r=\"\(isChosen ? 7 : 5)\" fill=\"\(isChosen ? Self.chosenColor : Self.otherColor)\"\(isChosen ? " class=\"chosen\" stroke=\"#000\" stroke-width=\"1.5\"" : "")><title>\(xmlEscape(c.name)): \(String(format: "%.4f", c.score))\(isChosen ? " (chosen)" : "")</title></circle>"
            let label = String(format: "%.4f", c.score) + (isChosen ? " chosen" : "")
            let right = x + 10 + Double(label.count) * 6.3 < width - 4
            s += "<text x=\"\(coord(right ? x + 10 : x - 10))\" y=\"\(coord(y - 7))\" font-size=\"11\"\(right ? "" : " text-anchor=\"end\"")\(isChosen ? " font-weight=\"bold\" fill=\"\(Self.chosenColor)\"" : "")>\(label)</text>\n"
        }
        if band != nil {
            let y = f.height - 12
            s += "<rect x=\"\(coord(f.left))\" y=\"\(coord(y - 9))\" width=\"18\" height=\"11\" fill=\"\(Self.bandColor)\" fill-opacity=\"0.45\"/>"
            s += "<text x=\"\(coord(f.left + 24))\" y=\"\(coord(y))\" font-size=\"11\">\(xmlEscape(marginLabel))</text>\n"
        }
        return s + "</svg>"
    }
}
