import Foundation

/// Reads a delimited text file line by line (RFC 4180 quoting, CRLF or LF), keeping line numbers
/// for error messages. Memory stays bounded by one chunk plus one record.
struct CSVReader: Sequence {
    /// One record with the line number where it starts (1-based, the header is line 1).
    struct Record {
        var line: Int
        var fields: [String]
    }

    enum Delimiter {
        case character(UInt8)
        case whitespace
    }

    let path: String
    let delimiter: Delimiter

    init(path: String, delimiter: Delimiter = .character(UInt8(ascii: ","))) throws(InputError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "file not found")
        }
        guard !isDirectory.boolValue else { throw InputError(file: path, "is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw InputError(file: path, "file is not readable")
        }
        self.path = path
        self.delimiter = delimiter
    }

    func makeIterator() -> Iterator { Iterator(path: path, delimiter: delimiter) }

    struct Iterator: IteratorProtocol {
        private let handle: FileHandle?
        private let delimiter: Delimiter
        private var buffer: [UInt8] = []
        private var position = 0
        private var isAtEnd = false
        private var line = 0
        /// Bytes read from the file so far (for progress).
        private(set) var bytesRead = 0

        init(path: String, delimiter: Delimiter) {
            handle = FileHandle(forReadingAtPath: path)
            self.delimiter = delimiter
        }

        private mutating func nextByte() -> UInt8? {
            if position >= buffer.count {
                guard !isAtEnd, let handle else { return nil }
                let chunk = handle.readData(ofLength: 1 << 20)
                if chunk.isEmpty {
                    isAtEnd = true
                    return nil
                }
                bytesRead += chunk.count
                buffer = [UInt8](chunk)
                position = 0
            }
            defer { position += 1 }
            return buffer[position]
        }

        private mutating func peekByte() -> UInt8? {
            guard let byte = nextByte() else { return nil }
            position -= 1
            return byte
        }

        mutating func next() -> Record? {
            while true {
                guard let record = readRecord() else { return nil }
                if record.fields.count == 1 && record.fields[0].trimmingCharacters(in: .whitespaces).isEmpty {
                    continue
                }
                return record
            }
        }

        private mutating func readRecord() -> Record? {
            guard peekByte() != nil else { return nil }
            line += 1
            let startLine = line
            var fields: [String] = []
            var field: [UInt8] = []
            var inQuotes = false
            var fieldStarted = false
            func finishField() {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                fieldStarted = false
            }
            func endRecord() -> Record {
                if case .whitespace = delimiter {
                    if fieldStarted { finishField() }
                    if fields.isEmpty { fields.append("") }
                } else {
                    finishField()
                }
                return Record(line: startLine, fields: fields)
            }
            while let byte = nextByte() {
                if inQuotes {
                    if byte == UInt8(ascii: "\"") {
                        if peekByte() == UInt8(ascii: "\"") {
                            _ = nextByte()
                            field.append(byte)
                        } else {
                            inQuotes = false
                        }
                    } else {
                        if byte == UInt8(ascii: "\n") { line += 1 }
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\n"):
                    return endRecord()
                case UInt8(ascii: "\r"):
                    continue
                case UInt8(ascii: "\"") where !fieldStarted && field.isEmpty:
                    inQuotes = true
                    fieldStarted = true
                default:
                    switch delimiter {
                    case .character(let separator) where byte == separator:
                        finishField()
                    case .whitespace where byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t"):
                        if fieldStarted { finishField() }
                    default:
                        field.append(byte)
                        fieldStarted = true
                    }
                }
            }
            return endRecord()
        }
    }
}

/// A header row: finds columns by name (case-insensitive) and reads typed fields with located errors.
struct CSVHeader {
    let path: String
    let names: [String]
    private let index: [String: Int]

    init(path: String, names: [String]) {
        self.path = path
        self.names = names.map { $0.trimmingCharacters(in: .whitespaces) }
        var index: [String: Int] = [:]
        for (position, name) in self.names.enumerated() where index[name.lowercased()] == nil {
            index[name.lowercased()] = position
        }
        self.index = index
    }

    /// The position of the first of `candidates` present in the header.
    func position(ofAny candidates: [String]) -> Int? {
        candidates.lazy.compactMap { index[$0.lowercased()] }.first
    }

    /// The position of `explicit` if given, else of the first candidate; throws naming what was looked for.
    func require(_ explicit: String?, or candidates: [String], role: String) throws(InputError) -> Int {
        if let explicit {
            guard let position = index[explicit.lowercased()] else {
                throw InputError(
                    file: path,
                    line: 1,
                    "no column '\(explicit)' for \(role); the header has: \(names.joined(separator: ", "))"
                )
            }
            return position
        }
        guard let position = position(ofAny: candidates) else {
            throw InputError(
                file: path,
                line: 1,
                "missing the \(role) column (looked for \(candidates.joined(separator: ", "))); the header has: \(names.joined(separator: ", ")). Use the mapping flags to name it."
            )
        }
        return position
    }

    func field(_ record: CSVReader.Record, _ position: Int) throws(InputError) -> String {
        guard position < record.fields.count else {
            throw InputError(
                file: path,
                line: record.line,
                column: names[position],
                "the row has \(record.fields.count) fields but the header has \(names.count)"
            )
        }
        return record.fields[position].trimmingCharacters(in: .whitespaces)
    }

    func double(_ record: CSVReader.Record, _ position: Int) throws(InputError) -> Double {
        let text = try field(record, position)
        guard let value = Double(text), value.isFinite else {
            throw InputError(file: path, line: record.line, column: names[position], "'\(text)' is not a number")
        }
        return value
    }

    func nonNegative(_ record: CSVReader.Record, _ position: Int) throws(InputError) -> Double {
        let value = try double(record, position)
        guard value >= 0 else {
            throw InputError(file: path, line: record.line, column: names[position], "must be ≥ 0, got \(value)")
        }
        return value
    }

    func count(_ record: CSVReader.Record, _ position: Int) throws(InputError) -> Int {
        let value = try nonNegative(record, position)
        guard value == value.rounded(), value < 1e15 else {
            throw InputError(
                file: path,
                line: record.line,
                column: names[position],
                "must be a whole number, got \(value)"
            )
        }
        return Int(value)
    }
}
