extension OpenAPIDocument {
    /// The paths and schemas of the segment and trigger endpoints, merged into ``json`` to form the
    /// served document.
    static let segments = #"""
        {
          "paths": {
            "/api/v1/segments": {
              "get": {
                "summary": "Every segment, by name, with its condition and current member count", "tags": ["segments"], "security": [{"adminToken": []}],
                "responses": {
                  "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}}}}}}},
                  "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}},
              "post": {
                "summary": "Create a segment and compute its members (unless backfill=false)", "tags": ["segments"], "security": [{"adminToken": []}],
                "parameters": [{"name": "backfill", "in": "query", "schema": {"type": "boolean", "default": true}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "condition"], "properties": {
                  "name": {"type": "string", "minLength": 1, "maxLength": 200}, "condition": {"$ref": "#/components/schemas/SegmentCondition"}}}}}},
                "responses": {
                  "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Segment"}}}},
                  "400": {"description": "Invalid JSON, a missing name, or an invalid condition (the message names the JSON path, e.g. condition.all[1].op)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "404": {"description": "The condition refers to a segment that does not exist", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "409": {"description": "The name is taken", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/segments/preview": {"post": {
              "summary": "Count the current customers a condition selects, without storing anything", "tags": ["segments"], "security": [{"adminToken": []}],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SegmentCondition"}}}},
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"count": {"type": "integer"}}}}}},
                "400": {"description": "Invalid JSON or an invalid condition (the message names the JSON path)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/segments/{name}": {
              "get": {
                "summary": "One segment", "tags": ["segments"], "security": [{"adminToken": []}],
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                  "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Segment"}}}},
                  "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "404": {"description": "No such segment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}},
              "put": {
                "summary": "Replace a segment's condition and recompute its members (unless backfill=false)", "tags": ["segments"], "security": [{"adminToken": []}],
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
                  {"name": "backfill", "in": "query", "schema": {"type": "boolean", "default": true}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["condition"], "properties": {
                  "condition": {"$ref": "#/components/schemas/SegmentCondition"}}}}}},
                "responses": {
                  "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Segment"}}}},
                  "400": {"description": "Invalid JSON, an invalid condition (the message names the JSON path) or one that makes the segment depend on itself", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "404": {"description": "No such segment, or the condition refers to one that does not exist", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/segments/{name}/backfill": {"post": {
              "summary": "Evaluate the segment over every customer now, record who entered and exited (firing triggers)", "tags": ["segments"], "security": [{"adminToken": []}],
              "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "name": {"type": "string"}, "entered": {"type": "integer"}, "exited": {"type": "integer"},
                  "members": {"type": "integer", "description": "members after the backfill"}}}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No such segment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/segments/{name}/members": {"get": {
              "summary": "A page of the segment's current members (customer ids, ascending)", "tags": ["segments"], "security": [{"adminToken": []}],
              "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                {"name": "cursor", "in": "query", "description": "nextCursor of the previous page", "schema": {"type": "string"}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "members": {"type": "array", "items": {"type": "integer"}},
                  "nextCursor": {"type": "string", "description": "absent after the last page"}}}}}},
                "400": {"description": "Invalid limit or cursor", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No such segment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/customers/{id}/segments": {"get": {
              "summary": "A customer's stays in segments, oldest first (exitedAt absent while a member)", "tags": ["segments"], "security": [{"adminToken": []}],
              "parameters": [{"name": "id", "in": "path", "required": true, "description": "Any id of the customer", "schema": {"type": "string"}}],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                  "segments": {"type": "array", "items": {"$ref": "#/components/schemas/SegmentStay"}}}}}}},
                "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "No customer has this id", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/triggers": {
              "get": {
                "summary": "Every trigger, by name", "tags": ["segments"], "security": [{"adminToken": []}],
                "responses": {
                  "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "triggers": {"type": "array", "items": {"$ref": "#/components/schemas/Trigger"}}}}}}},
                  "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}},
              "post": {
                "summary": "Create a trigger: a webhook to a destination when its event happens to a customer", "tags": ["segments"], "security": [{"adminToken": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "event", "destination"],
                  "description": "name, event, destination and the fields of that event: segment (segment.entered, segment.exited), eventName and an optional filter (event.matched), condition reading a score field (score.changed)",
                  "properties": {"name": {"type": "string"}, "event": {"type": "string", "enum": ["segment.entered", "segment.exited", "event.matched", "score.changed"]},
                    "destination": {"type": "string"}, "segment": {"type": "string"}, "eventName": {"type": "string", "description": "the name of a track event"},
                    "filter": {"$ref": "#/components/schemas/EventTriggerFilter"}, "condition": {"$ref": "#/components/schemas/SegmentCondition"}}}}}},
                "responses": {
                  "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Trigger"}}}},
                  "400": {"description": "Invalid JSON, a missing field, an unknown event, an invalid filter or condition (the message names the JSON path)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "401": {"description": "Missing or invalid admin token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "404": {"description": "No such segment or destination", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "409": {"description": "The name is taken", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
          },
          "schemas": {
            "SegmentCondition": {"type": "object", "description": "One of: {\"all\": [c, …]}, {\"any\": [c, …]}, {\"not\": c}; {\"trait\": KEY, \"op\", \"value\"}; {\"score\": FIELD, \"op\", \"value\"}; {\"event\": NAME, \"op\", \"count\", \"inLast\"}; {\"event\": NAME, \"followedBy\"|\"notFollowedBy\": NAME, \"within\", \"inLast\"}; {\"segment\": NAME}. Operators: eq, ne, lt, le, gt, ge, in, contains, exists, startsWith, regex, between.",
              "example": {"all": [{"trait": "plan", "op": "eq", "value": "pro"}, {"event": "Order Completed", "op": "ge", "count": 3, "inLast": "90d"}]}},
            "Segment": {"type": "object", "properties": {
              "name": {"type": "string"}, "condition": {"$ref": "#/components/schemas/SegmentCondition"},
              "createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"},
              "members": {"type": "integer", "description": "current members"}}},
            "SegmentStay": {"type": "object", "properties": {
              "segment": {"type": "string"}, "enteredAt": {"type": "string", "format": "date-time"},
              "exitedAt": {"type": "string", "format": "date-time", "description": "absent while a member"}}},
            "EventTriggerFilter": {"type": "object", "description": "Comparisons on the event's properties (all must hold) and a condition on the customer at that moment", "properties": {
              "properties": {"type": "array", "items": {"type": "object", "required": ["property", "op"], "properties": {
                "property": {"type": "string"}, "op": {"type": "string"}, "value": {}}}},
              "customer": {"$ref": "#/components/schemas/SegmentCondition"}}},
            "Trigger": {"type": "object", "description": "An event and the fields it needs", "properties": {
              "id": {"type": "integer"}, "name": {"type": "string"},
              "event": {"type": "string", "enum": ["segment.entered", "segment.exited", "event.matched", "score.changed"]},
              "segment": {"type": "string", "description": "segment.entered, segment.exited; score.changed: score:NAME, the segment holding its condition"},
              "eventName": {"type": "string", "description": "event.matched"}, "filter": {"$ref": "#/components/schemas/EventTriggerFilter"},
              "destination": {"type": "string"}, "enabled": {"type": "boolean"},
              "createdAt": {"type": "string", "format": "date-time"}}}
          }
        }
        """#
}
