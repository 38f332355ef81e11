/// A small, self-contained SVG line chart: one line per series over shared x values.
public struct LineChartSVG {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Categories along x, in order.
    public var xValues: [String]
    /// Series name -> y values in [0, 1] (one per x value).
    public var series: [(name: String, values: [Double])]

    public init(title: String, xLabel: String, yLabel: String, xValues: [String], series: [(name: String, values: [Double])]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xValues = xValues
        self.series = series
    }

    static let palette = ["#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f"]

    public func render() -> String {
        let width = 640.0, height = 400.0, left = 70.0, right = 170.0, top = 50.0, bottom = 60.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ index: Int) -> Double {
            xValues.count <= 1 ? left + plotWidth / 2 : left + plotWidth * Double(index) / Double(xValues.count - 1)
        }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - min(max(value, 0), 1)) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += "<text x=\"\(left)\" y=\"28\" font-size=\"16\" font-weight=\"bold\">\(escape(title))</text>\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let ty = y(tick)
            svg += "<line x1=\"\(left)\" y1=\"\(ty)\" x2=\"\(left + plotWidth)\" y2=\"\(ty)\" stroke=\"#e0e0e0\"/>\n"
            svg += "<text x=\"\(left - 8)\" y=\"\(ty + 4)\" text-anchor=\"end\">\(Int(tick * 100))%</text>\n"
        }
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#424242\"/>\n"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\" stroke=\"#424242\"/>\n"
        for (index, value) in xValues.enumerated() {
            svg += "<text x=\"\(x(index))\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\">\(escape(value))</text>\n"
        }
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 14)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(18 \(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let points = line.values.enumerated().map { "\(x($0.offset)),\(y($0.element))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.5\" points=\"\(points)\"/>\n"
            for (pointIndex, value) in line.values.enumerated() {
                svg += "<circle cx=\"\(x(pointIndex))\" cy=\"\(y(value))\" r=\"3.5\" fill=\"\(color)\"><title>\(escape(line.name)): \(Int((value * 100).rounded()))%</title></circle>\n"
            }
            let legendY = top + 10 + Double(index) * 22
            svg += "<line x1=\"\(left + plotWidth + 20)\" y1=\"\(legendY)\" x2=\"\(left + plotWidth + 44)\" y2=\"\(legendY)\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            svg += "<text x=\"\(left + plotWidth + 50)\" y=\"\(legendY + 4)\">\(escape(line.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
