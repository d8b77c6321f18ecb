/// Small dense symmetric-matrix helpers for standard errors (inverse of a Hessian).
public enum SymmetricMatrix {
    /// The inverse of a symmetric positive-definite matrix via its Cholesky factor, or `nil` if the
    /// matrix is not positive definite (a fit at a saddle point or on a boundary).
    public static func inversePositiveDefinite(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        guard let lower = choleskyFactor(matrix) else { return nil }
        var inverse = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for column in 0..<n {
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var sum = i == column ? 1.0 : 0.0
                for k in 0..<i { sum -= lower[i][k] * y[k] }
                y[i] = sum / lower[i][i]
            }
            var x = [Double](repeating: 0, count: n)
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = y[i]
                for k in (i + 1)..<n { sum -= lower[k][i] * x[k] }
                x[i] = sum / lower[i][i]
            }
            for i in 0..<n { inverse[i][column] = x[i] }
        }
        return inverse
    }

    /// The lower-triangular L with L Lᵀ = `matrix` (Cholesky), or `nil` if the matrix is not
    /// positive definite. Used to draw from a multivariate normal with this covariance.
    public static func choleskyFactor(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        var lower = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var sum = matrix[i][j]
                for k in 0..<j { sum -= lower[i][k] * lower[j][k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    lower[i][i] = sum.squareRoot()
                } else {
                    lower[i][j] = sum / lower[j][j]
                }
            }
        }
        return lower
    }

    /// Replaces each off-diagonal pair with its mean: a matrix estimated by finite differences made
    /// exactly symmetric.
    public static func symmetrize(_ matrix: inout [[Double]]) {
        for i in matrix.indices {
            for j in 0..<i {
                let mean = 0.5 * (matrix[i][j] + matrix[j][i])
                matrix[i][j] = mean
                matrix[j][i] = mean
            }
        }
    }
}
