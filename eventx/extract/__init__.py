"""Event-level analysis of rule matches: modality (asserted, negated, possible, hypothetical)
and attribution (who reports the event)."""
