"""Collection at the court window (来院领取): windows, slots, bookings and the pickup channel."""
