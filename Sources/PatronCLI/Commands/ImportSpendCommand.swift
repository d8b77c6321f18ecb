import ArgumentParser
import CustomerValue
import Foundation
import PatronCore
import PatronStorage

extension ImportCommand {
    /// `patron import spend FILE`.
    struct Spend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import marketing spend: date, channel, amount and an optional campaign, for ROI per channel.",
            discussion: """
                Channels are matched to acquisition channels by name (lower-cased): paid search, paid \
                social, email, display, affiliate, organic search, referral, direct, or a UTM medium as sent. \
                A row for the same day, channel and campaign replaces the stored amount, so re-importing a file \
                changes nothing and a corrected file updates. See `patron report roi`.

                Example:
                  patron import spend spend.csv --date-format %d/%m/%Y
                """
        )

        @OptionGroup var store: DatabaseOptions
        @Argument(help: "The CSV file (header row first).") var file: String
        @Option(help: "Column with the day.") var dateColumn = "date"
        @Option(help: "Column with the channel.") var channelColumn = "channel"
        @Option(help: "Column with the amount.") var amountColumn = "amount"
        @Option(help: "Column with the campaign (optional).") var campaignColumn = "campaign"
        @Option(help: "Column with the ISO 4217 currency (optional).") var currencyColumn = "currency"
        @Option(help: "Currency when the file has no currency column.") var currency = "USD"
        @Option(help: "Date format with %Y, %m, %d.") var dateFormat = "%Y-%m-%d"
        @Option(help: "Output format of the summary: table or json.") var format: OutputFormat = .table

        func run() async throws {
            let store = try store.open()
            let dates = try DateFormat(dateFormat)
            let reader = try CSVReader(path: file)
            var records = reader.makeIterator()
            guard let header = records.next() else { throw InputError(file: file, "the file is empty") }
            let columns = ColumnIndex(header: header.fields, file: file)
            let date = try columns.require(dateColumn)
            let channel = try columns.require(channelColumn)
            let amount = try columns.require(amountColumn)
            let campaign = columns.optional(campaignColumn)
            let currencyIndex = columns.optional(currencyColumn)
            var summary = ImportSummary(file: file)
            var batch: [SpendRow] = []
            while let record = records.next() {
                summary.rows += 1
                func field(_ index: Int) -> String {
                    index < record.fields.count ? ImportCommand.trimmed(record.fields[index]) : ""
                }
                guard let day = dates.parse(field(date)) else {
                    summary.reject(
                        line: record.line,
                        InputError(column: dateColumn, "'\(field(date))' does not match the date format \(dateFormat)")
                    )
                    continue
                }
                let name = field(channel).lowercased()
                guard !name.isEmpty else {
                    summary.reject(line: record.line, InputError(column: channelColumn, "missing channel"))
                    continue
                }
                guard let value = Double(field(amount)), value.isFinite, value >= 0 else {
                    summary.reject(
                        line: record.line,
                        InputError(column: amountColumn, "'\(field(amount))' is not an amount ≥ 0")
                    )
                    continue
                }
                let code =
                    currencyIndex.map { ImportCommand.uppercased(field($0)) }.flatMap { $0.isEmpty ? nil : $0 }
                    ?? currency.uppercased()
                guard ImportCommand.isCurrencyCode(code) else {
                    summary.reject(
                        line: record.line,
                        InputError(column: currencyColumn, "'\(code)' is not an ISO 4217 currency code")
                    )
                    continue
                }
                batch.append(
                    SpendRow(
                        day: day.dayNumber,
                        channel: name,
                        campaign: campaign.map(field) ?? "",
                        amount: value,
                        currency: code
                    )
                )
                if batch.count >= 10_000 {
                    summary.outcome.add(try await store.importSpend(batch))
                    batch.removeAll(keepingCapacity: true)
                }
            }
            summary.outcome.add(try await store.importSpend(batch))
            try summary.print(format: format)
        }
    }
}
