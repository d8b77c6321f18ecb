extension OpenAPIDocument {
    /// The paths and schemas of the webhook endpoints (destinations and the outbox), merged into
    /// ``json`` to form the served document.
    static let webhooks = #"""
        {
          "paths": {
            "/api/v1/destinations": {
              "get": {
                "summary": "Webhook destinations (without their secrets)", "tags": ["webhooks"], "security": [{"adminToken": []}],
                "responses": {
                  "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "destinations": {"type": "array", "items": {"$ref": "#/components/schemas/Destination"}}}}}}},
                  "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}},
              "post": {
                "summary": "Create a destination; the answer holds its whsec_ signing secret (Standard Webhooks)",
                "tags": ["webhooks"], "security": [{"adminToken": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "url"], "properties": {
                  "name": {"type": "string"}, "url": {"type": "string", "format": "uri"},
                  "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                  "secret": {"type": "string", "description": "whsec_ followed by ≥ 24 bytes in base64; generated when absent"},
                  "purpose": {"type": "string", "description": "email, push, advertising, …: consent is checked before each send"},
                  "consentPolicy": {"type": "string", "enum": ["opt-in", "opt-out"], "default": "opt-in"},
                  "cap": {"type": "string", "description": "frequency cap per customer: 3/day, 1/week, 10/month (customer's time zone)"}}}}}},
                "responses": {
                  "201": {"description": "Created", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "secret": {"type": "string"}}}}}},
                  "400": {"description": "Missing name or url, a URL that is not http(s), a malformed secret", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "409": {"description": "The name is taken", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/destinations/{name}/rotate-secret": {"post": {
              "summary": "Add a new signing secret; the previous one keeps signing until the next rotation",
              "tags": ["webhooks"], "security": [{"adminToken": []}],
              "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "name": {"type": "string"}, "newSecret": {"type": "string"}}}}}},
                "404": {"description": "No such destination", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/destinations/{name}/test": {"post": {
              "summary": "Queue a signed test webhook for the destination",
              "tags": ["webhooks"], "security": [{"adminToken": []}],
              "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
              "responses": {
                "200": {"description": "Queued", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "webhookId": {"type": "string"}}}}}},
                "404": {"description": "No such destination", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/customers/{id}/consent": {
              "get": {
                "summary": "A customer's consent per purpose", "tags": ["webhooks"], "security": [{"adminToken": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "description": "Any id of the customer", "schema": {"type": "string"}}],
                "responses": {
                  "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "consent": {"type": "array", "items": {"$ref": "#/components/schemas/Consent"}}}}}}},
                  "404": {"description": "No customer has this id", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}},
              "post": {
                "summary": "Grant or revoke consent for a purpose, or for everything (`all`): the unsubscribe API",
                "tags": ["webhooks"], "security": [{"adminToken": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "description": "Any id of the customer", "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["purpose", "granted"], "properties": {
                  "purpose": {"type": "string"}, "granted": {"type": "boolean"}}}}}},
                "responses": {
                  "200": {"description": "The customer's consent after the change", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "consent": {"type": "array", "items": {"$ref": "#/components/schemas/Consent"}}}}}}},
                  "400": {"description": "Body without purpose or boolean granted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "404": {"description": "No customer has this id", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/deliveries": {"get": {
              "summary": "The webhook outbox, newest first", "tags": ["webhooks"], "security": [{"adminToken": []}],
              "parameters": [
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["pending", "delivered", "dead", "suppressed"]}},
                {"name": "destination", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}}}}}},
                "400": {"description": "Unknown status or limit out of range", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/deliveries/replay": {"post": {
              "summary": "Requeue dead-lettered deliveries with a fresh retry budget (all, by id, or of one destination)",
              "tags": ["webhooks"], "security": [{"adminToken": []}],
              "parameters": [
                {"name": "id", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}, "style": "form", "explode": true},
                {"name": "destination", "in": "query", "schema": {"type": "string"}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "requeued": {"type": "integer"}}}}}},
                "400": {"description": "An id that is not a number", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
          },
          "schemas": {
            "Destination": {"type": "object", "properties": {
              "id": {"type": "integer"}, "name": {"type": "string"}, "url": {"type": "string"},
              "headerNames": {"type": "array", "items": {"type": "string"}}, "signingSecrets": {"type": "integer"},
              "createdAt": {"type": "string", "format": "date-time"}, "disabledAt": {"type": ["string", "null"], "format": "date-time"},
              "disabledReason": {"type": ["string", "null"]}, "purpose": {"type": ["string", "null"]},
              "consentPolicy": {"type": "string"}, "cap": {"type": ["string", "null"]}}},
            "Consent": {"type": "object", "properties": {
              "purpose": {"type": "string"}, "granted": {"type": "boolean"},
              "source": {"type": "string", "enum": ["event", "identify", "import", "api"]},
              "updatedAt": {"type": "string", "format": "date-time"}}},
            "Delivery": {"type": "object", "properties": {
              "id": {"type": "integer"}, "destinationId": {"type": "integer"}, "webhookId": {"type": "string"},
              "eventType": {"type": "string"}, "customerId": {"type": ["integer", "null"]}, "payload": {"type": "string"},
              "createdAt": {"type": "string", "format": "date-time"}, "status": {"type": "string", "enum": ["pending", "delivered", "dead", "suppressed"]},
              "attempts": {"type": "integer"}, "nextAttemptAt": {"type": ["string", "null"], "format": "date-time"},
              "lastStatusCode": {"type": ["integer", "null"]}, "lastError": {"type": ["string", "null"]},
              "deliveredAt": {"type": ["string", "null"], "format": "date-time"}}}
          }
        }
        """#
}
