module commitcheck

go 1.19
