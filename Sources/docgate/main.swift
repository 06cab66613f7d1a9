print("docgate")
