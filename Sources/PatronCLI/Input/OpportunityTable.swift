import CustomerValue
import Foundation

/// BG/BB data: per-customer or compressed (frequency, recency, periods[, weights]) rows.
struct OpportunityTable {
    var ids: [String]
    var histories: [OpportunityHistory]
    var counts: [Double]

    var compressed: CompressedOpportunities { CompressedOpportunities(rows: histories, counts: counts) }

    static func load(_ options: InputOptions) throws(InputError) -> OpportunityTable {
        guard let path = options.summary else {
            throw InputError("BG/BB needs a --summary file with frequency, recency and periods columns (opportunities)")
        }
        var records = try CSVReader(path: path, delimiter: options.parsedDelimiter()).makeIterator()
        guard let headerRecord = records.next() else { throw InputError(file: path, "the file is empty") }
        let header = CSVHeader(path: path, names: headerRecord.fields)
        let frequency = try header.require(options.frequencyColumn, or: ["frequency", "x"], role: "frequency")
        let recency = try header.require(options.recencyColumn, or: ["recency", "t_x"], role: "recency")
        let periods = try header.require(options.periodsColumn, or: ["periods", "n", "opportunities"], role: "periods")
        let count =
            options.countColumn != nil
            ? try header.require(options.countColumn, or: [], role: "count")
            : header.position(ofAny: ["weights", "count", "customers"])
        let idPosition = header.position(ofAny: ["customer_id", "id"])
        var table = OpportunityTable(ids: [], histories: [], counts: [])
        while let record = records.next() {
            let x = try header.count(record, frequency)
            let tx = try header.count(record, recency)
            let n = try header.count(record, periods)
            do {
                table.histories.append(try OpportunityHistory.validated(frequency: x, recency: tx, opportunities: n))
            } catch {
                throw InputError(file: path, line: record.line, error.message)
            }
            table.counts.append(
                try count.map { position throws(InputError) in Double(try header.count(record, position)) } ?? 1
            )
            table.ids.append(
                try idPosition.map { position throws(InputError) in try header.field(record, position) }
                    ?? String(record.line - 1)
            )
        }
        guard !table.histories.isEmpty else { throw InputError(file: path, "the file has a header but no rows") }
        return table
    }
}

/// sBG data from `--survivors` or a file with `period, survivors` columns.
enum SurvivalInput {
    static func load(survivors: String?, input: InputOptions) throws -> CohortSurvival {
        if let survivors {
            var values: [Double] = []
            for (position, text) in survivors.split(separator: ",").enumerated() {
                guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    throw InputError("--survivors: entry \(position + 1) '\(text)' is not a number")
                }
                values.append(value)
            }
            do {
                return try CohortSurvival(survivors: values)
            } catch {
                throw InputError("--survivors: \(error.message)")
            }
        }
        guard let path = input.summary else {
            throw InputError("sBG needs --survivors N0,N1,… or a --summary file with period and survivors columns")
        }
        var records = try CSVReader(path: path, delimiter: input.parsedDelimiter()).makeIterator()
        guard let headerRecord = records.next() else { throw InputError(file: path, "the file is empty") }
        let header = CSVHeader(path: path, names: headerRecord.fields)
        let column = try header.require(nil, or: ["survivors", "alive", "active", "customers"], role: "survivors")
        var values: [Double] = []
        var lastLine = 1
        while let record = records.next() {
            values.append(try header.nonNegative(record, column))
            lastLine = record.line
        }
        do {
            return try CohortSurvival(survivors: values)
        } catch {
            throw InputError(file: path, line: lastLine, error.message)
        }
    }
}
