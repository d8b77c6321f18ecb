import ArgumentParser
import CustomerValue
import Foundation
import PatronCore
import PatronSegments
import PatronStorage

/// `patron import transactions|customers FILE`: loads CSV files into the store.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import transactions or CRM customers from CSV (streaming, idempotent).",
        subcommands: [Transactions.self, Customers.self, Spend.self]
    )

    /// `patron import transactions FILE`.
    struct Transactions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import transactions: one row per purchase with customer id, date and amount.",
            discussion: """
                Rows are keyed on the order id column when the file has one; otherwise on (customer, date, \
                amount, currency), so identical rows without an order id count once. Re-importing a file adds \
                nothing. Every rejected row is reported on standard error with its line and reason.

                Example:
                  patron import transactions orders.csv --customer-column client --date-format %d/%m/%Y
                """
        )

        @OptionGroup var store: DatabaseOptions
        @Argument(help: "The CSV file (header row first).") var file: String
        @Option(help: "Column with the customer id.") var customerColumn = "customer_id"
        @Option(help: "Column with the purchase date.") var dateColumn = "date"
        @Option(help: "Column with the amount.") var amountColumn = "amount"
        @Option(help: "Column with the order id (optional; used as the dedup key).") var orderColumn = "order_id"
        @Option(help: "Column with the ISO 4217 currency (optional).") var currencyColumn = "currency"
        @Option(help: "Currency when the file has no currency column.") var currency = "USD"
        @Option(help: "Date format with %Y, %m, %d (ISO 8601 date-times are also accepted).") var dateFormat =
            "%Y-%m-%d"
        @Option(help: "Namespace of the customer ids: user_id, email, anonymous_id or external:<type>.")
        var idKind = Identifier.userIdKind
        @Option(help: "Rows per database transaction.") var batchSize = 100_000
        @Option(
            help: """
                Drop the per-customer index during the import and build it once at the end: auto (files of \
                a million rows or more, when they hold at least half as many rows as the store), always or never.
                """
        )
        var rebuildIndex: IndexRebuild = .auto
        @Option(help: "Output format of the summary: table or json.") var format: OutputFormat = .table

        /// When to drop and rebuild `transactionByCustomer` around an import.
        enum IndexRebuild: String, ExpressibleByArgument, CaseIterable {
            case auto, always, never
        }

        func validate() throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
            guard currency.count == 3 else { throw ValidationError("--currency must be a 3-letter ISO 4217 code") }
            try ImportCommand.validate(idKind: idKind)
        }

        func run() async throws {
            let store = try store.open()
            let dates = try DateFormat(dateFormat)
            let reader = try CSVReader(path: file)
            var rows = reader.makeIterator()
            guard let header = rows.next() else { throw InputError(file: file, "the file is empty") }
            let columns = ColumnIndex(header: header.fields, file: file)
            for name in [customerColumn, dateColumn, amountColumn] { _ = try columns.require(name) }
            var rebuild = false
            // The write-ahead log is copied into the database file on a connection (and core) of its
            // own, not by the writer at its commits (BENCHMARKS.md §3); without it, the writer does it.
            let checkpoints = Task { try? await store.runCheckpoints() }
            do {
                try await load(rows: &rows, store: store, columns: columns, dates: dates, rebuild: &rebuild)
            } catch {
                try? await store.foldImportedSeenRanges()
                if rebuild { try? await store.restoreTransactionIndex() }
                checkpoints.cancel()
                await checkpoints.value
                throw error
            }
            checkpoints.cancel()
            await checkpoints.value
        }

        /// Whether to drop the per-customer index for this import, decided when its first batch is
        /// parsed (see ``rebuildPays(fileRows:storedRows:firstBatchRows:firstBatchStored:)``).
        func rebuildsIndex(store: SQLiteStore, fileSize: Int, firstBatch: ImportedTransactionBatch) async throws -> Bool
        {
            switch rebuildIndex {
            case .always: return true
            case .never: return false
            case .auto:
                let storedRows = try await store.transactionRowEstimate()
                func pays(firstBatchStored: Int) -> Bool {
                    Self.rebuildPays(
                        fileRows: fileSize / 40,
                        storedRows: storedRows,
                        firstBatchRows: firstBatch.count,
                        firstBatchStored: firstBatchStored
                    )
                }
                // The first batch's order ids are looked up only when the sizes alone would rebuild
                // and the store has transactions: small imports pay nothing for the rule.
                guard pays(firstBatchStored: 0), storedRows > 0 else { return pays(firstBatchStored: 0) }
                return pays(firstBatchStored: try await store.storedOrderCount(firstBatch.orderIds))
            }
        }

        /// The `auto` rule: dropping the per-customer index and building it once at the end pays
        /// when the file adds at least a million rows (a file has about 40 bytes per row) and at least
        /// half as many as are stored (the build costs in proportion to the whole table), unless
        /// most rows of its first batch are stored already: a file imported before (or the rerun
        /// of an interrupted import) then mostly adds nothing, and keeps the index.
        static func rebuildPays(fileRows: Int, storedRows: Int, firstBatchRows: Int, firstBatchStored: Int) -> Bool {
            guard fileRows >= 1_000_000, fileRows >= storedRows / 2 else { return false }
            return firstBatchStored * 2 <= firstBatchRows
        }

        func load(
            rows: inout CSVReader.Iterator,
            store: SQLiteStore,
            columns: ColumnIndex,
            dates: DateFormat,
            rebuild: inout Bool
        ) async throws {
            let customerIndex = try columns.require(customerColumn)
            let dateIndex = try columns.require(dateColumn)
            let amountIndex = try columns.require(amountColumn)
            let orderIndex = columns.optional(orderColumn)
            let currencyIndex = columns.optional(currencyColumn)
            var summary = ImportSummary(file: file)
            var batch = ImportedTransactionBatch(capacity: batchSize)
            var progress = ProgressBar(label: "importing", total: Self.fileSize(file))
            // Two stages on two cores: while the store writes one batch, the next one is parsed.
            // At most two batches are in memory; a failed write stops the import at the next batch.
            var writing: Task<ImportOutcome, any Error>?
            var decided = false
            func write(_ parsed: ImportedTransactionBatch) async throws {
                if let writing {
                    summary.outcome.add(try await writing.value)
                    progress.update(rows.bytesRead, note: "\(summary.rows) rows")
                }
                if !decided {
                    decided = true
                    rebuild = try await rebuildsIndex(store: store, fileSize: Self.fileSize(file), firstBatch: parsed)
                    if rebuild { try await store.suspendTransactionIndex() }
                }
                writing = Task { try await store.importTransactions(parsed, deferringSeenRanges: true) }
            }
            while let record = rows.next() {
                summary.rows += 1
                switch transaction(
                    record,
                    customer: customerIndex,
                    date: dateIndex,
                    amount: amountIndex,
                    order: orderIndex,
                    currency: currencyIndex,
                    dates: dates
                ) {
                case .success(let row): batch.append(row)
                case .failure(let error): summary.reject(line: record.line, error)
                }
                if batch.count >= batchSize {
                    store.numberCustomers(of: &batch)
                    try await write(batch)
                    batch = ImportedTransactionBatch(capacity: batchSize)
                }
            }
            store.numberCustomers(of: &batch)
            try await write(batch)
            if let writing { summary.outcome.add(try await writing.value) }
            summary.finishPhase("rows")
            progress.update(rows.bytesRead, note: "\(summary.rows) rows, widening seen ranges")
            try await store.foldImportedSeenRanges()
            summary.finishPhase("seenRanges")
            if rebuild {
                progress.update(rows.bytesRead, note: "\(summary.rows) rows, indexing")
                try await store.restoreTransactionIndex()
                summary.finishPhase("index")
            }
            progress.finish(note: "\(summary.rows) rows")
            try summary.print(format: format)
        }

        func transaction(
            _ record: CSVReader.Record,
            customer: Int,
            date: Int,
            amount: Int,
            order: Int?,
            currency: Int?,
            dates: DateFormat
        ) -> Result<ImportedTransaction, InputError> {
            func field(_ index: Int) -> String {
                index < record.fields.count ? ImportCommand.trimmed(record.fields[index]) : ""
            }
            let customerId = field(customer)
            guard !customerId.isEmpty, !IdentityRules.isBlocked(customerId) else {
                return .failure(
                    InputError(column: customerColumn, "missing or placeholder customer id '\(customerId)'")
                )
            }
            let dateText = field(date)
            let timestamp: Date
            if let exact = SegmentTimestamp.parse(dateText) {
                timestamp = exact
            } else if let day = dates.parse(dateText) {
                timestamp = Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400)
            } else {
                return .failure(
                    InputError(column: dateColumn, "'\(dateText)' does not match the date format \(dateFormat)")
                )
            }
            let amountText = field(amount)
            guard let value = Double(amountText), value.isFinite else {
                return .failure(InputError(column: amountColumn, "'\(amountText)' is not a number"))
            }
            guard value >= 0 else {
                return .failure(
                    InputError(column: amountColumn, "negative amount \(amountText) (send refunds as Order Refunded)")
                )
            }
            let code =
                currency.map { ImportCommand.uppercased(field($0)) }.flatMap { $0.isEmpty ? nil : $0 }
                ?? self.currency.uppercased()
            guard ImportCommand.isCurrencyCode(code) else {
                return .failure(InputError(column: currencyColumn, "'\(code)' is not an ISO 4217 currency code"))
            }
            let identifier = Identifier(
                kind: idKind,
                value: idKind == Identifier.emailKind ? customerId.lowercased() : customerId
            )
            let orderId =
                order.map(field).flatMap { $0.isEmpty ? nil : $0 }
                ?? "row:" + ContentHash.hex(of: "\(identifier)|\(timestamp.timeIntervalSince1970)|\(value)|\(code)")
            return .success(
                ImportedTransaction(
                    customer: identifier,
                    orderId: orderId,
                    timestamp: timestamp,
                    amount: value,
                    currency: code
                )
            )
        }

        static func fileSize(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 1
        }
    }

    /// `patron import customers FILE`.
    struct Customers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Import CRM customers: an id column, optional email and external id columns, other columns as traits.",
            discussion: """
                Each row finds its customer by the id column (creating it when unknown) and links the email and \
                external ids when no other customer holds them (an import never merges customers). Traits are \
                set as of the import time, so a newer value from an event is kept. Re-importing adds nothing. \
                With --channel-column the CRM's acquisition channel (and --acquired-column date, --campaign-column) \
                becomes the customer's first touch unless events recorded an earlier one.

                Example:
                  patron import customers crm.csv --id-column crm_id --id-kind external:crm --email-column email
                """
        )

        @OptionGroup var store: DatabaseOptions
        @Argument(help: "The CSV file (header row first).") var file: String
        @Option(help: "Column with the customer id.") var idColumn = "customer_id"
        @Option(help: "Namespace of the id column: user_id, email, anonymous_id or external:<type>.")
        var idKind = Identifier.userIdKind
        @Option(help: "Column with the email address (optional).") var emailColumn = "email"
        @Option(
            name: .customLong("external-id"),
            help: "COLUMN=TYPE: a column of external ids of that type; repeatable."
        )
        var externalIds: [String] = []
        @Option(
            name: .customLong("trait"),
            help: "COLUMN or COLUMN=TRAIT to import as a trait; repeatable (default: every other column)."
        )
        var traits: [String] = []
        @Option(
            help:
                "Column with the acquisition channel (optional; e.g. paid search, email), used by ROI and drivers reports."
        )
        var channelColumn: String?
        @Option(help: "Column with the acquisition date (with --channel-column; default: the first purchase).")
        var acquiredColumn: String?
        @Option(help: "Column with the acquisition campaign (with --channel-column).") var campaignColumn: String?
        @Option(help: "Date format of --acquired-column with %Y, %m, %d.") var dateFormat = "%Y-%m-%d"
        @Option(
            name: .customLong("consent"),
            help:
                "PURPOSE=COLUMN: consent for a purpose (email, push, …) from a column of yes/no, true/false or 1/0; repeatable."
        )
        var consentColumns: [String] = []
        @Option(help: "Rows per database transaction.") var batchSize = 5_000
        @Flag(
            inversion: .prefixedNo,
            help:
                "Re-evaluate every segment after an import that changed customers (entries and exits fire their triggers)."
        )
        var segments = true
        @Option(help: "Output format of the summary: table or json.") var format: OutputFormat = .table

        func validate() throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
            for pair in consentColumns where pair.split(separator: "=").count != 2 {
                throw ValidationError("--consent must be PURPOSE=COLUMN, got '\(pair)'")
            }
            if channelColumn == nil, acquiredColumn != nil || campaignColumn != nil {
                throw ValidationError("--acquired-column and --campaign-column need --channel-column")
            }
            try ImportCommand.validate(idKind: idKind)
            for pair in externalIds where pair.split(separator: "=").count != 2 {
                throw ValidationError("--external-id must be COLUMN=TYPE, got '\(pair)'")
            }
        }

        func run() async throws {
            let store = try store.open()
            let reader = try CSVReader(path: file)
            var rows = reader.makeIterator()
            guard let header = rows.next() else { throw InputError(file: file, "the file is empty") }
            let columns = ColumnIndex(header: header.fields, file: file)
            let idIndex = try columns.require(idColumn)
            let emailIndex = columns.optional(emailColumn)
            var externalColumns: [(index: Int, kind: String)] = []
            for pair in externalIds {
                let parts = pair.split(separator: "=").map(String.init)
                externalColumns.append((try columns.require(parts[0]), "external:\(parts[1])"))
            }
            let channelIndex = try channelColumn.map { try columns.require($0) }
            let acquiredIndex = try acquiredColumn.map { try columns.require($0) }
            let campaignIndex = try campaignColumn.map { try columns.require($0) }
            let dates = try DateFormat(dateFormat)
            let consentIndexes = try consentColumns.map { pair in
                let parts = pair.split(separator: "=").map(String.init)
                return (purpose: parts[0], column: parts[1], index: try columns.require(parts[1]))
            }
            var traitColumns: [(index: Int, name: String)] = []
            if traits.isEmpty {
                let used = Set(
                    [idIndex] + [emailIndex, channelIndex, acquiredIndex, campaignIndex].compactMap { $0 }
                        + externalColumns.map(\.index) + consentIndexes.map(\.index)
                )
                traitColumns = header.fields.enumerated().filter { !used.contains($0.offset) }.map {
                    ($0.offset, $0.element)
                }
            } else {
                for spec in traits {
                    let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
                    traitColumns.append((try columns.require(parts[0]), parts.count == 2 ? parts[1] : parts[0]))
                }
            }
            let asOf = Date()
            var summary = ImportSummary(file: file)
            var batch: [ImportedCustomer] = []
            var progress = ProgressBar(label: "importing", total: Transactions.fileSize(file))
            while let record = rows.next() {
                summary.rows += 1
                func field(_ index: Int) -> String {
                    index < record.fields.count ? ImportCommand.trimmed(record.fields[index]) : ""
                }
                let id = field(idIndex)
                guard !id.isEmpty, !IdentityRules.isBlocked(id) else {
                    summary.reject(line: record.line, InputError(column: idColumn, "missing or placeholder id '\(id)'"))
                    continue
                }
                var identifiers = [
                    Identifier(kind: idKind, value: idKind == Identifier.emailKind ? id.lowercased() : id)
                ]
                if let emailIndex {
                    let email = field(emailIndex).lowercased()
                    if !email.isEmpty, !IdentityRules.isBlocked(email) {
                        guard email.contains("@") else {
                            summary.reject(
                                line: record.line,
                                InputError(column: emailColumn, "'\(email)' is not an email address")
                            )
                            continue
                        }
                        identifiers.append(Identifier(kind: Identifier.emailKind, value: email))
                    }
                }
                for column in externalColumns {
                    let value = field(column.index)
                    if !value.isEmpty, !IdentityRules.isBlocked(value) {
                        identifiers.append(Identifier(kind: column.kind, value: value))
                    }
                }
                var values: [String: JSONValue] = [:]
                for column in traitColumns {
                    let value = field(column.index)
                    if !value.isEmpty { values[column.name] = .string(value) }
                }
                var acquisition: ImportedAcquisition?
                if let channelIndex, case let channel = field(channelIndex).lowercased(), !channel.isEmpty {
                    var acquiredAt: Date?
                    if let acquiredIndex, case let text = field(acquiredIndex), !text.isEmpty {
                        guard let date = dates.parse(text) else {
                            summary.reject(
                                line: record.line,
                                InputError(
                                    column: acquiredColumn ?? "",
                                    "'\(text)' does not match the date format \(dateFormat)"
                                )
                            )
                            continue
                        }
                        acquiredAt = Date(timeIntervalSince1970: Double(date.dayNumber) * 86_400)
                    }
                    let campaign = campaignIndex.map(field).flatMap { $0.isEmpty ? nil : $0 }
                    acquisition = ImportedAcquisition(channel: channel, acquiredAt: acquiredAt, campaign: campaign)
                }
                var consents: [String: Bool] = [:]
                var badConsent: InputError?
                for consent in consentIndexes {
                    let text = field(consent.index).lowercased()
                    if text.isEmpty { continue }
                    if ["yes", "y", "true", "1"].contains(text) {
                        consents[consent.purpose] = true
                    } else if ["no", "n", "false", "0"].contains(text) {
                        consents[consent.purpose] = false
                    } else {
                        badConsent = InputError(column: consent.column, "'\(text)' is not yes/no, true/false or 1/0")
                    }
                }
                if let badConsent {
                    summary.reject(line: record.line, badConsent)
                    continue
                }
                batch.append(
                    ImportedCustomer(
                        identifiers: identifiers,
                        traits: values,
                        acquisition: acquisition,
                        consents: consents
                    )
                )
                if batch.count >= batchSize {
                    summary.outcome.add(try await store.importCustomers(batch, asOf: asOf))
                    batch.removeAll(keepingCapacity: true)
                    progress.update(rows.bytesRead, note: "\(summary.rows) rows")
                }
            }
            summary.outcome.add(try await store.importCustomers(batch, asOf: asOf))
            progress.finish(note: "\(summary.rows) rows")
            summary.finishPhase("rows")
            if segments, summary.outcome.imported > 0 {
                // New traits and consent move customers now, not at a server's next full refresh.
                summary.segmentChanges = try await store.refreshEverySegment().entriesAndExits
                summary.finishPhase("segments")
            }
            try summary.print(format: format)
        }
    }

    /// `text.trimmingCharacters(in: .whitespaces)`, skipping Foundation when neither end can be
    /// whitespace (a printable ASCII character at both ends), as in nearly every field of a file.
    static func trimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        if (0x21..<0x80).contains(first) && (0x21..<0x80).contains(last) { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// `text.uppercased()`, returning `text` itself when it has no lowercase (or non-ASCII) letter.
    static func uppercased(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 && !(0x61...0x7A).contains($0) } ? text : text.uppercased()
    }

    /// Three letters (an ISO 4217 code such as `EUR`).
    static func isCurrencyCode(_ code: String) -> Bool {
        if code.utf8.count == 3 && code.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) { return true }
        return code.count == 3 && code.allSatisfy(\.isLetter)
    }

    static func validate(idKind: String) throws {
        let known = [Identifier.userIdKind, Identifier.emailKind, Identifier.anonymousIdKind]
        guard known.contains(idKind) || (idKind.hasPrefix("external:") && idKind.count > 9) else {
            throw ValidationError("--id-kind must be user_id, email, anonymous_id or external:<type>, got '\(idKind)'")
        }
    }
}

/// Finds columns of a CSV header by name (case-insensitive, trimmed).
struct ColumnIndex {
    let header: [String]
    let file: String

    func optional(_ name: String) -> Int? {
        let wanted = name.trimmingCharacters(in: .whitespaces).lowercased()
        return header.firstIndex { $0.trimmingCharacters(in: .whitespaces).lowercased() == wanted }
    }

    func require(_ name: String) throws(InputError) -> Int {
        guard let index = optional(name) else {
            throw InputError(
                file: file,
                line: 1,
                column: name,
                "no such column; the header has: \(header.joined(separator: ", "))"
            )
        }
        return index
    }
}

/// What an import did, printed at the end; rejected rows are reported as they are met.
struct ImportSummary: Encodable {
    let file: String
    var rows = 0
    var rejected = 0
    var outcome = ImportOutcome()
    /// Wall-clock seconds of each phase of the import (`rows`, then for transactions `seenRanges`
    /// and, when the per-customer index was rebuilt, `index`; for customers `segments` when they
    /// were re-evaluated).
    var seconds: [String: Double] = [:]
    /// Segment entries and exits from re-evaluating the segments after a customer import (`nil`
    /// when they were not re-evaluated).
    var segmentChanges: Int?
    private var phaseStart = ContinuousClock.now

    private enum CodingKeys: String, CodingKey { case file, rows, rejected, outcome, seconds, segmentChanges }

    init(file: String) { self.file = file }

    /// Records the time since the previous phase ended (or the import started) as `phase`.
    mutating func finishPhase(_ phase: String) {
        let now = ContinuousClock.now
        seconds[phase] = ((now - phaseStart) / .milliseconds(1)).rounded() / 1000
        phaseStart = now
    }

    mutating func reject(line: Int, _ reason: InputError) {
        rejected += 1
        let located = InputError(file: file, line: line, column: reason.column, "rejected: " + reason.message)
        FileHandle.standardError.write(Data("\(located)\n".utf8))
    }

    func print(format: OutputFormat) throws {
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Swift.print(String(decoding: try encoder.encode(self), as: UTF8.self))
            return
        }
        Swift.print(
            TableText.render(
                headers: ["rows", "imported", "already present", "rejected", "customers created", "id conflicts"],
                rows: [
                    [
                        String(rows), String(outcome.imported), String(outcome.alreadyPresent), String(rejected),
                        String(outcome.customersCreated), String(outcome.conflicts),
                    ]
                ]
            )
        )
        if let segmentChanges { Swift.print("segments re-evaluated: \(segmentChanges) entries and exits") }
        let phases = ["rows", "seenRanges", "index", "segments"].compactMap { phase in
            seconds[phase].map { "\(phase) \(String(format: "%.1f", $0)) s" }
        }
        Swift.print("time: " + phases.joined(separator: ", "))
    }
}
