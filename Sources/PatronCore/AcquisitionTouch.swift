/// Where a customer came from, read off an event: the UTM campaign in `context.campaign`, the
/// referrer, and the marketing channel derived from them.
public struct AcquisitionTouch: Sendable, Hashable, Codable {
    /// The event source (write key's source, or the import).
    public var source: String
    /// `utm_source`.
    public var utmSource: String?
    /// `utm_medium`.
    public var utmMedium: String?
    /// `utm_campaign` (`context.campaign.name`).
    public var utmCampaign: String?
    /// The referring URL, if any.
    public var referrer: String?
    /// The channel: paid search, paid social, social, email, display, affiliate, organic search,
    /// referral, or direct.
    public var channel: String

    /// Reads the touch of `event` received from `source`.
    public init(event: SegmentEvent, source: String) {
        let context = event.payload["context"]
        let campaign = context?["campaign"]
        self.source = source
        utmSource = campaign?["source"]?.stringValue
        utmMedium = campaign?["medium"]?.stringValue
        utmCampaign = campaign?["name"]?.stringValue
        referrer = context?["page"]?["referrer"]?.stringValue ?? event.payload["properties"]?["referrer"]?.stringValue
        channel = Self.channel(medium: utmMedium, utmSource: utmSource, referrer: referrer)
    }

    /// The channel of a touch, by the usual UTM conventions.
    public static func channel(medium: String?, utmSource: String?, referrer: String?) -> String {
        let medium = medium?.lowercased() ?? ""
        let sourceName = utmSource?.lowercased() ?? ""
        let socialNames = [
            "facebook", "instagram", "tiktok", "linkedin", "twitter", "x.com", "pinterest", "snapchat", "reddit",
        ]
        let isSocialSource = socialNames.contains { Self.contains(sourceName, $0) }
        switch medium {
        case "cpc", "ppc", "paid", "paidsearch", "paid_search", "sem":
            return isSocialSource ? "paid social" : "paid search"
        case "paid_social", "paidsocial", "social_paid":
            return "paid social"
        case "cpm" where isSocialSource:
            return "paid social"
        case "social", "social-network", "social_media", "sm":
            return "social"
        case "email", "e-mail", "newsletter":
            return "email"
        case "display", "banner", "cpm":
            return "display"
        case "affiliate", "partner":
            return "affiliate"
        case "organic":
            return "organic search"
        case "referral":
            return "referral"
        default:
            break
        }
        if !medium.isEmpty { return medium }
        if isSocialSource { return "social" }
        guard let referrer = referrer?.lowercased(), !referrer.isEmpty else { return "direct" }
        let searchEngines = ["google.", "bing.", "duckduckgo.", "yahoo.", "baidu.", "yandex.", "ecosia."]
        if searchEngines.contains(where: { Self.contains(referrer, $0) }) { return "organic search" }
        if socialNames.contains(where: { Self.contains(referrer, $0) }) { return "social" }
        return "referral"
    }

    /// Byte-wise substring test (Foundation's `contains` is slow on Linux, and this runs per event).
    static func contains(_ text: String, _ part: String) -> Bool {
        let haystack = Array(text.utf8)
        let needle = Array(part.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
