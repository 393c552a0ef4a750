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

/// A linear axis: label, unit (shown in brackets), range, ticks.
public struct PlotAxis: Sendable {
    public var label: String
    public var unit: String?
    public var range: ClosedRange<Double>
    public var ticks: [Double]

    public init(_ label: String, unit: String? = nil, range: ClosedRange<Double>, ticks: [Double]? = nil) {
        self.label = label; self.unit = unit
        let r = range.lowerBound < range.upperBound ? range : (range.lowerBound - 0.5)...(range.lowerBound + 0.5)
        self.range = r
        self.ticks = ticks ?? PlotAxis.niceTicks(r)
    }

    public var title: String { unit.map { "\(label) (\($0))" } ?? label }

    /// About five round tick values inside `range`.
    public static func niceTicks(_ range: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(count)
        let mag = pow(10, floor(log10(raw)))
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

    func legend(_ items: [(String, String, Bool)]) -> String {
        var s = ""
        var y = top + 8
        for (name, color, dashed) in items where !name.isEmpty {
            let x = left + plotWidth - 170
            s += "<line x1=\"\(coord(x))\" y1=\"\(coord(y))\" x2=\"\(coord(x + 18))\" y2=\"\(coord(y))\" stroke=\"\(color)\" stroke-width=\"3\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            s += "<text x=\"\(coord(x + 24))\" y=\"\(coord(y + 4))\" font-size=\"11\">\(xmlEscape(name))</text>\n"
            y += 15
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

    func xTitle(_ text: String) -> String {
        "<text x=\"\(coord(left + plotWidth / 2))\" y=\"\(coord(height - 10))\" text-anchor=\"middle\">\(xmlEscape(text))</text>\n"
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
        let f = PlotFrame(width: width, height: height)
        func px(_ v: Double) -> Double { f.left + (min(max(v, x.range.lowerBound), x.range.upperBound) - x.range.lowerBound) / (x.range.upperBound - x.range.lowerBound) * f.plotWidth }
        func py(_ v: Double) -> Double { f.top + f.plotHeight - (min(max(v, y.range.lowerBound), y.range.upperBound) - y.range.lowerBound) / (y.range.upperBound - y.range.lowerBound) * f.plotHeight }
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
        for (k, se) in series.enumerated() {
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
        s += f.legend(legend)
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
        var f = PlotFrame(width: width, height: height + (rotate ? min(longest, 28) * 5.5 : 0))
        f.bottom = rotate ? 30 + min(longest, 28) * 5.5 : 52
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
