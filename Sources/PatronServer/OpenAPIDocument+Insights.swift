import Foundation
import PatronCore

extension OpenAPIDocument {
    /// The paths and schemas of the insight endpoints (scores, model versions, reports), merged into
    /// ``json`` to form the served document.
    static let insights = #"""
        {
          "paths": {
            "/api/v1/customers/{id}/scores": {"get": {
              "summary": "A customer's current score and score history",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "parameters": [{"name": "id", "in": "path", "required": true, "description": "Any id of the customer", "schema": {"type": "string"}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "current": {"oneOf": [{"$ref": "#/components/schemas/CustomerScore"}, {"type": "null"}]},
                  "history": {"type": "array", "items": {"$ref": "#/components/schemas/ScoreHistoryEntry"}}}}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No customer has this id", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/models": {"get": {
              "summary": "Fitted model versions, newest first, with the comparison that chose each",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 20}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "versions": {"type": "array", "items": {"$ref": "#/components/schemas/ModelVersion"}}}}}}},
                "400": {"description": "Invalid limit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/reports/value": {"get": {
              "summary": "Customer-base value: totals, tiers, deciles and top customers, with the CLV conventions",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "parameters": [{"name": "top", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 10}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValueReport"}}}},
                "400": {"description": "Invalid top", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No model fitted yet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/reports/rfm": {"get": {
              "summary": "RFM quintile scores and named segments as of the last purchase day",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RFMReport"}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No transactions yet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/reports/trend": {"get": {
              "summary": "Customer-base value over the stored snapshots: total, new-customer value, churned value, value at risk, tier moves",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "conventions": {"type": "string"}, "points": {"type": "array", "items": {"type": "object"}}}}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No snapshots yet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/reports/roi": {"get": {
              "summary": "ROI per channel and acquisition month: customers acquired, CAC, revenue and predicted CLV per customer, LTV:CAC, payback months",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "conventions": {"type": "string"}, "channels": {"type": "array", "items": {"type": "object"}},
                  "months": {"type": "array", "items": {"type": "object"}}}}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No acquisition or spend yet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/reports/cohorts": {"get": {
              "summary": "Acquisition cohorts × months since acquisition: % active, revenue retained, cumulative revenue per customer, predicted CLV",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CohortReport"}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No transactions yet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/spend": {"post": {
              "summary": "Import marketing spend rows (idempotent: a row for the same day, channel and campaign replaces the stored amount)",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["rows"], "properties": {
                "rows": {"type": "array", "maxItems": 10000, "items": {"type": "object", "required": ["date", "channel", "amount"], "properties": {
                  "date": {"type": "string", "format": "date"}, "channel": {"type": "string", "description": "lower-cased; matched to acquisition channels by name"},
                  "amount": {"type": "number", "minimum": 0}, "campaign": {"type": "string"},
                  "currency": {"type": "string", "description": "ISO 4217, default USD"}}}}}}}}},
              "responses": {
                "200": {"description": "Imported", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "imported": {"type": "integer"}, "alreadyPresent": {"type": "integer"}}}}}},
                "400": {"description": "Invalid JSON or a row with a wrong field (named, e.g. rows[3].amount)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "413": {"description": "More than 10,000 rows or 4 MiB", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/reports/drivers": {"get": {
              "summary": "Drivers of value: a purchase model with covariates; each driver's effect on purchasing, dropout and CLV with 95 % intervals, ranked; Gamma-Gamma spend by segment",
              "tags": ["insights"], "security": [{"adminToken": []}],
              "parameters": [
                {"name": "driver", "in": "query", "description": "Repeatable: channel, first-order-value or trait:NAME (default: channel and first-order-value)", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": true},
                {"name": "model", "in": "query", "schema": {"type": "string", "enum": ["bgnbd", "mbgnbd", "pnbd"]}, "description": "Default: the active model version's, else pnbd"},
                {"name": "maxCustomers", "in": "query", "schema": {"type": "integer", "minimum": 100, "default": 100000}},
                {"name": "draws", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 400}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DriversReport"}}}},
                "400": {"description": "Unknown driver or model, or a parameter out of range", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No transactions, no repeat purchases, or no driver that varies", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "422": {"description": "The covariate model could not be fitted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
          },
          "schemas": {
            "EffectInterval": {"type": "object", "properties": {
              "estimate": {"type": "number"}, "low": {"type": ["number", "null"]}, "high": {"type": ["number", "null"]}}},
            "DriversReport": {"type": "object", "properties": {
              "conventions": {"type": "string"}, "model": {"type": "string"}, "timeUnit": {"type": "string"},
              "asOf": {"type": "string", "format": "date"}, "customers": {"type": "integer"}, "customersAvailable": {"type": "integer"},
              "parameterNames": {"type": "array", "items": {"type": "string"}},
              "baseParameters": {"type": "array", "items": {"type": "number"}},
              "coefficients": {"type": "array", "items": {"type": "object", "properties": {
                "column": {"type": "string"}, "process": {"type": "string", "enum": ["purchase", "dropout"]},
                "parameter": {"type": "string"}, "estimate": {"type": "number"}, "standardError": {"type": "number"},
                "pValue": {"type": "number"}}}},
              "logLikelihood": {"type": "number"}, "baselineLogLikelihood": {"type": "number"},
              "likelihoodRatio": {"type": "number"}, "degreesOfFreedom": {"type": "integer"}, "likelihoodRatioPValue": {"type": "number"},
              "driverTests": {"type": "array", "items": {"type": "object", "properties": {
                "driver": {"type": "string"}, "statistic": {"type": "number"}, "degreesOfFreedom": {"type": "integer"}, "pValue": {"type": "number"}}}},
              "effects": {"type": "array", "description": "largest change of CLV first", "items": {"type": "object", "properties": {
                "driver": {"type": "string"}, "level": {"type": "string"}, "reference": {"type": "string"}, "customers": {"type": "integer"},
                "purchaseRate": {"$ref": "#/components/schemas/EffectInterval"}, "purchasePValue": {"type": "number"},
                "dropout": {"$ref": "#/components/schemas/EffectInterval"}, "dropoutPValue": {"type": "number"},
                "spendRatio": {"type": "number"}, "lifetimeValue": {"$ref": "#/components/schemas/EffectInterval"},
                "newCustomerValue": {"type": "number"}}}},
              "spendBySegment": {"type": "array", "items": {"type": "object", "properties": {
                "driver": {"type": "string"}, "level": {"type": "string"}, "repeatCustomers": {"type": "integer"},
                "observedMeanSpend": {"type": "number"}, "modelMeanSpend": {"type": "number"},
                "parameters": {"type": "array", "items": {"type": "number"}}}}},
              "referenceValue": {"type": "number"}, "warnings": {"type": "array", "items": {"type": "string"}},
              "seconds": {"type": "number"}}},
            "RFMReport": {"type": "object", "properties": {
              "asOf": {"type": "string", "format": "date"}, "customers": {"type": "integer"}, "conventions": {"type": "string"},
              "segments": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "customers": {"type": "integer"}, "share": {"type": "number"},
                "meanRecencyDays": {"type": "number"}, "meanFrequency": {"type": "number"}, "meanMonetary": {"type": "number"},
                "revenue": {"type": "number"}}}},
              "grid": {"type": "array", "description": "customers per recency score (rows 1…5) and frequency score (columns 1…5)",
                "items": {"type": "array", "items": {"type": "integer"}}}}},
            "CohortReport": {"type": "object", "properties": {
              "conventions": {"type": "string"},
              "cohorts": {"type": "array", "items": {"type": "object", "properties": {
                "month": {"type": "string"}, "customers": {"type": "integer"}, "predictedValuePerCustomer": {"type": "number"},
                "periods": {"type": "array", "items": {"type": "object", "properties": {
                  "period": {"type": "integer"}, "activeShare": {"type": "number"}, "revenue": {"type": "number"},
                  "revenueRetained": {"type": "number"}, "cumulativeRevenuePerCustomer": {"type": "number"}}}}}}}}},
            "CustomerScore": {"type": "object", "description": "Scores of the active model version; CLV discounted monthly at the version's rate, in the store's currency", "properties": {
              "customerId": {"type": "integer"}, "modelVersionId": {"type": "integer"}, "scoredAt": {"type": "string", "format": "date-time"},
              "probabilityAlive": {"type": "number"}, "expectedPurchases90Days": {"type": "number"}, "expectedPurchases365Days": {"type": "number"},
              "expectedSpend": {"type": "number"}, "lifetimeValue1Year": {"type": "number"}, "lifetimeValue3Years": {"type": "number"},
              "valueDecile": {"type": "integer", "minimum": 1, "maximum": 10}, "tier": {"type": "string", "enum": ["top", "high", "medium", "low"]}}},
            "ScoreHistoryEntry": {"type": "object", "properties": {
              "modelVersionId": {"type": "integer"}, "scoredAt": {"type": "string", "format": "date-time"},
              "reason": {"type": "string", "enum": ["batch", "order"]}, "probabilityAlive": {"type": "number"},
              "expectedPurchases365Days": {"type": "number"}, "lifetimeValue3Years": {"type": "number"},
              "valueDecile": {"type": "integer"}, "tier": {"type": "string"}}},
            "ModelVersion": {"type": "object", "properties": {
              "version": {"type": "object", "description": "id, purchaseModel, parameters, standard errors, spend parameters, timeUnit, dataCutoffDay, monthlyDiscountRate, valueCutPoints"},
              "comparison": {"type": "object", "description": "candidates (log-likelihood, AIC, BIC, holdout error by frequency bucket), selection, final fit, warnings, stage times"}}},
            "ValueReport": {"type": "object", "properties": {
              "model": {"type": "object", "description": "version id, model, fit time, data cut-off, time unit, discount rate and the CLV conventions sentence"},
              "customers": {"type": "integer"}, "likelyActive": {"type": "integer"},
              "lifetimeValue1Year": {"type": "number"}, "lifetimeValue3Years": {"type": "number"}, "expectedPurchases365Days": {"type": "number"},
              "topDecileShare": {"type": "number"}, "tiers": {"type": "array", "items": {"type": "object"}},
              "deciles": {"type": "array", "items": {"type": "object"}}, "topCustomers": {"type": "array", "items": {"type": "object"}}}}
          }
        }
        """#

    /// The served document: ``json`` with the insight, webhook and segment paths and schemas merged in.
    static let document: String = {
        guard case .object(var base)? = try? JSONValue.parse(Data(json.utf8)),
            case .object(var paths)? = base["paths"], case .object(var components)? = base["components"],
            case .object(var schemas)? = components["schemas"]
        else { return json }
        for fragment in [insights, webhooks, segments] {
            guard case .object(let extra)? = try? JSONValue.parse(Data(fragment.utf8)) else { continue }
            if case .object(let newPaths)? = extra["paths"] { paths.merge(newPaths) { old, _ in old } }
            if case .object(let newSchemas)? = extra["schemas"] { schemas.merge(newSchemas) { old, _ in old } }
        }
        components["schemas"] = .object(schemas)
        base["paths"] = .object(paths)
        base["components"] = .object(components)
        return JSONValue.object(base).jsonText
    }()
}
