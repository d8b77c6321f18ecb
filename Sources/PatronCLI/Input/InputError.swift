/// A problem with an input file or option, said with the file, line and column when known.
struct InputError: Error, CustomStringConvertible {
    var file: String?
    var line: Int?
    var column: String?
    var message: String

    init(file: String? = nil, line: Int? = nil, column: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    var description: String {
        var location = file ?? ""
        if let line { location += location.isEmpty ? "line \(line)" : ":\(line)" }
        if let column { location += (location.isEmpty ? "" : ": ") + "column '\(column)'" }
        return location.isEmpty ? message : "\(location): \(message)"
    }
}
