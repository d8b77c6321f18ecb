/// The OpenAPI 3.1 document served at `/openapi.json`.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Patron API",
            "version": "0.1.0",
            "description": "Segment-compatible tracking API (write key as HTTP Basic username) and the admin API (Bearer admin token)."
          },
          "paths": {
            "/v1/batch": {
              "post": {
                "summary": "Send a batch of events (Segment spec)",
                "tags": [
                  "tracking"
                ],
                "security": [
                  {
                    "writeKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Batch"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Events committed durably (fsync); duplicates of a stored messageId are acknowledged and not stored again",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/identify": {
              "post": {
                "summary": "Send one identify call",
                "tags": [
                  "tracking"
                ],
                "security": [
                  {
                    "writeKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Event"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Events committed durably (fsync); duplicates of a stored messageId are acknowledged and not stored again",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/track": {
              "post": {
                "summary": "Send one track call",
                "tags": [
                  "tracking"
                ],
                "security": [
                  {
                    "writeKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Event"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Events committed durably (fsync); duplicates of a stored messageId are acknowledged and not stored again",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/page": {
              "post": {
                "summary": "Send one page call",
                "tags": [
                  "tracking"
                ],
                "security": [
                  {
                    "writeKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Event"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Events committed durably (fsync); duplicates of a stored messageId are acknowledged and not stored again",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/screen": {
              "post": {
                "summary": "Send one screen call",
                "tags": [
                  "tracking"
                ],
                "security": [
                  {
                    "writeKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Event"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Events committed durably (fsync); duplicates of a stored messageId are acknowledged and not stored again",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/group": {
              "post": {
                "summary": "Send one group call",
                "tags": [
                  "tracking"
                ],
                "security": [
                  {
                    "writeKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Event"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Events committed durably (fsync); duplicates of a stored messageId are acknowledged and not stored again",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/alias": {
              "post": {
                "summary": "Send one alias call",
                "tags": [
                  "tracking"
                ],
                "security": [
                  {
                    "writeKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Event"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Events committed durably (fsync); duplicates of a stored messageId are acknowledged and not stored again",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/ingest/status": {
              "get": {
                "summary": "Events stored, processed into customers and pending",
                "tags": [
                  "admin"
                ],
                "security": [
                  {
                    "adminToken": []
                  }
                ],
                "parameters": [],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/IngestStatus"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/customers": {
              "get": {
                "summary": "List customers, optionally by trait",
                "tags": [
                  "admin"
                ],
                "security": [
                  {
                    "adminToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "trait",
                    "in": "query",
                    "description": "KEY (has the trait) or KEY:VALUE",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 500,
                      "default": 50
                    }
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "customers": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Customer"
                              }
                            },
                            "nextCursor": {
                              "type": "string",
                              "nullable": true
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/customers/{id}": {
              "get": {
                "summary": "A customer's profile",
                "tags": [
                  "admin"
                ],
                "security": [
                  {
                    "adminToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "Any id of the customer: user id, anonymous id, email or external id",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Customer"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/customers/{id}/events": {
              "get": {
                "summary": "A customer's events, newest first",
                "tags": [
                  "admin"
                ],
                "security": [
                  {
                    "adminToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "Any id of the customer: user id, anonymous id, email or external id",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "default": 100
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "events": {
                              "type": "array",
                              "items": {
                                "type": "object"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/customers/{id}/transactions": {
              "get": {
                "summary": "A customer's transactions",
                "tags": [
                  "admin"
                ],
                "security": [
                  {
                    "adminToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "Any id of the customer: user id, anonymous id, email or external id",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "transactions": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Transaction"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/customers/{id}/identity": {
              "get": {
                "summary": "The identity audit of a customer (merges, splits, conflicts)",
                "tags": [
                  "admin"
                ],
                "security": [
                  {
                    "adminToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "Any id of the customer: user id, anonymous id, email or external id",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "audit": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/AuditEntry"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/quarantine": {
              "get": {
                "summary": "Quarantined events, newest first",
                "tags": [
                  "admin"
                ],
                "security": [
                  {
                    "adminToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "default": 100
                    }
                  },
                  {
                    "name": "reason",
                    "in": "query",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "notAnObject",
                        "invalidType",
                        "missingIdentity",
                        "missingEventName",
                        "missingRequiredField",
                        "invalidTimestamp",
                        "invalidMessageId",
                        "invalidField",
                        "eventTooLarge"
                      ]
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "events": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/QuarantinedEvent"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Error",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/health": {
              "get": {
                "summary": "Liveness",
                "tags": [
                  "operations"
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "status": {
                              "type": "string"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/metrics": {
              "get": {
                "summary": "Prometheus metrics",
                "tags": [
                  "operations"
                ],
                "responses": {
                  "200": {
                    "description": "Prometheus text format",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/openapi.json": {
              "get": {
                "summary": "This document",
                "tags": [
                  "operations"
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "writeKey": {
                "type": "http",
                "scheme": "basic",
                "description": "write key as the username, empty password"
              },
              "adminToken": {
                "type": "http",
                "scheme": "bearer"
              }
            },
            "schemas": {
              "Success": {
                "type": "object",
                "properties": {
                  "success": {
                    "type": "boolean",
                    "enum": [
                      true
                    ]
                  }
                }
              },
              "Error": {
                "type": "object",
                "properties": {
                  "success": {
                    "type": "boolean",
                    "enum": [
                      false
                    ]
                  },
                  "error": {
                    "type": "string"
                  }
                }
              },
              "Event": {
                "type": "object",
                "description": "A Segment spec call: userId or anonymousId required; messageId ≤ 100 characters is the idempotency key",
                "properties": {
                  "type": {
                    "type": "string",
                    "enum": [
                      "identify",
                      "track",
                      "page",
                      "screen",
                      "group",
                      "alias"
                    ]
                  },
                  "messageId": {
                    "type": "string",
                    "maxLength": 100
                  },
                  "userId": {
                    "type": "string"
                  },
                  "anonymousId": {
                    "type": "string",
                    "nullable": true
                  },
                  "event": {
                    "type": "string"
                  },
                  "name": {
                    "type": "string"
                  },
                  "previousId": {
                    "type": "string"
                  },
                  "groupId": {
                    "type": "string"
                  },
                  "properties": {
                    "type": "object"
                  },
                  "traits": {
                    "type": "object"
                  },
                  "context": {
                    "type": "object"
                  },
                  "integrations": {
                    "type": "object"
                  },
                  "timestamp": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "originalTimestamp": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "sentAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "writeKey": {
                    "type": "string"
                  }
                }
              },
              "Batch": {
                "type": "object",
                "required": [
                  "batch"
                ],
                "properties": {
                  "batch": {
                    "type": "array",
                    "maxItems": 2500,
                    "items": {
                      "$ref": "#/components/schemas/Event"
                    }
                  },
                  "context": {
                    "type": "object",
                    "description": "merged into each event"
                  },
                  "integrations": {
                    "type": "object"
                  },
                  "sentAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "writeKey": {
                    "type": "string"
                  }
                }
              },
              "IngestStatus": {
                "type": "object",
                "properties": {
                  "storedEvents": {
                    "type": "integer"
                  },
                  "processedEvents": {
                    "type": "integer"
                  },
                  "pendingEvents": {
                    "type": "integer"
                  }
                }
              },
              "Identifier": {
                "type": "object",
                "properties": {
                  "kind": {
                    "type": "string",
                    "description": "user_id, anonymous_id, email or external:<type>"
                  },
                  "value": {
                    "type": "string"
                  }
                }
              },
              "Acquisition": {
                "type": "object",
                "properties": {
                  "source": {
                    "type": "string"
                  },
                  "utmSource": {
                    "type": "string"
                  },
                  "utmMedium": {
                    "type": "string"
                  },
                  "utmCampaign": {
                    "type": "string"
                  },
                  "referrer": {
                    "type": "string"
                  },
                  "channel": {
                    "type": "string"
                  },
                  "firstTouchAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "Customer": {
                "type": "object",
                "properties": {
                  "id": {
                    "type": "integer"
                  },
                  "identifiers": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Identifier"
                    }
                  },
                  "traits": {
                    "type": "object"
                  },
                  "firstSeen": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "lastSeen": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "eventCount": {
                    "type": "integer"
                  },
                  "transactionCount": {
                    "type": "integer"
                  },
                  "revenue": {
                    "type": "number",
                    "description": "net of refunds"
                  },
                  "acquisition": {
                    "$ref": "#/components/schemas/Acquisition"
                  }
                }
              },
              "Transaction": {
                "type": "object",
                "properties": {
                  "orderId": {
                    "type": "string"
                  },
                  "revenue": {
                    "type": "number"
                  },
                  "currency": {
                    "type": "string"
                  },
                  "timestamp": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "refundedAmount": {
                    "type": "number"
                  },
                  "refunded": {
                    "type": "boolean"
                  },
                  "source": {
                    "type": "string"
                  }
                }
              },
              "AuditEntry": {
                "type": "object",
                "properties": {
                  "id": {
                    "type": "integer"
                  },
                  "action": {
                    "type": "string",
                    "enum": [
                      "merge",
                      "split",
                      "conflict",
                      "blocked",
                      "capped"
                    ]
                  },
                  "customerId": {
                    "type": "integer"
                  },
                  "otherCustomerId": {
                    "type": "integer"
                  },
                  "identifiers": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Identifier"
                    }
                  },
                  "reason": {
                    "type": "string"
                  },
                  "eventId": {
                    "type": "integer"
                  },
                  "at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "undoneAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "QuarantinedEvent": {
                "type": "object",
                "properties": {
                  "id": {
                    "type": "integer"
                  },
                  "source": {
                    "type": "string"
                  },
                  "reason": {
                    "type": "string"
                  },
                  "detail": {
                    "type": "string"
                  },
                  "messageId": {
                    "type": "string"
                  },
                  "receivedAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "payload": {
                    "type": "string",
                    "description": "the raw event JSON"
                  }
                }
              }
            }
          }
        }
        """#
}
