"""Pure legal rules: deadlines, fees, authorization checks and routing.

Everything here takes plain values (dates, Decimals, frozen dataclasses, the enums in
`kinds`) and returns plain values. No ORM, no settings: the services load what the rules
need and store what they return, so the rules can be tested without a database.
"""
