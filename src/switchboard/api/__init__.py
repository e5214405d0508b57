"""The HTTP edge: parse a request, call the org, render Salesforce's reply."""
