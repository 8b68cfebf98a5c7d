"""Dates typed and redisplayed as YYYY-MM-DD in every form, the admin's
included: "03/04/2026" reads as 3 April in one country and 4 March in
another, and an editor must never guess which the form meant."""

DATE_FORMAT = "j M Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1
