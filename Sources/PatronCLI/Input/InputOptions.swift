public import ArgumentParser
public import CustomerValue

extension TimeUnit: ExpressibleByArgument {}

/// Where customer data come from, and how to read it; shared by `fit` and `predict`.
struct InputOptions: ParsableArguments {
    @Option(
        help:
            "A per-customer summary CSV (lifetimes: frequency, recency, T, monetary_value; CDNOW: ID, x, t_x, T, zbar)."
    )
    var summary: String?

    @Option(help: "A transaction log CSV (customer_id, date, amount), summarised with the RFM conventions.")
    var transactions: String?

    @Option(help: "Time unit of the summary's recency and T, or of the summary built from transactions.")
    var timeUnit: TimeUnit = .weeks

    @Option(help: "Field delimiter: ',', ';', 'tab' or 'whitespace'.")
    var delimiter: String = ","

    @Option(help: "Customer id column (default: customer_id, id, ID, customer).")
    var idColumn: String?
    @Option(help: "Repeat-purchase count column (default: frequency, x).")
    var frequencyColumn: String?
    @Option(help: "Recency column (default: recency, t_x).")
    var recencyColumn: String?
    @Option(help: "Age column T (default: T, age).")
    var ageColumn: String?
    @Option(help: "Mean repeat-purchase value column (default: monetary_value, zbar).")
    var monetaryColumn: String?
    @Option(help: "Number of customers per row (default: weights, count), for compressed summaries.")
    var countColumn: String?
    @Option(help: "Opportunities column for BG/BB (default: periods, n, opportunities).")
    var periodsColumn: String?

    @Option(help: "Transactions: customer column (default: customer_id, customer, id).")
    var customerColumn: String?
    @Option(help: "Transactions: date column (default: date, order_date, timestamp).")
    var dateColumn: String?
    @Option(help: "Transactions: amount column (default: amount, revenue, value, sales).")
    var amountColumn: String?
    @Option(help: "Transactions: date format with %Y, %m, %d (times after the date are ignored).")
    var dateFormat: String = "%Y-%m-%d"
    @Option(help: "Transactions: last day of the calibration period, in --date-format (default: the last transaction).")
    var calibrationEnd: String?
    @Option(help: "Transactions: last day of the holdout period, in --date-format (default: the last transaction).")
    var observationEnd: String?

    func validate() throws {
        if summary != nil && transactions != nil {
            throw ValidationError("give either --summary or --transactions, not both")
        }
        _ = try parsedDelimiter()
    }

    func parsedDelimiter() throws(InputError) -> CSVReader.Delimiter {
        switch delimiter {
        case "tab", "\\t", "\t": return .character(UInt8(ascii: "\t"))
        case "whitespace", "space": return .whitespace
        default:
            guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first else {
                throw InputError("--delimiter must be one character, 'tab' or 'whitespace', got '\(delimiter)'")
            }
            return .character(byte)
        }
    }
}
