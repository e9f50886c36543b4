"""Kangyang (康养): smart elderly-care service and supervision platform."""
