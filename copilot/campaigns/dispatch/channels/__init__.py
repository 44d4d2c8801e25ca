"""One adapter per channel: WeCom customer and group mass-sends, SMS, Slack DM."""
