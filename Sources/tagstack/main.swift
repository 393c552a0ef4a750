print("tagstack")
