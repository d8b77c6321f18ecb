/// Ids as a JSON array (`[1,2,3]`): one bound argument, which SQL reads with `json_each(?)`.
package func jsonIdList(_ ids: some Sequence<Int64>) -> String {
    "[" + ids.map(String.init).joined(separator: ",") + "]"
}
