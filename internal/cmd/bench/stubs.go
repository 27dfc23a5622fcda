package main

func hashRows(*env) ([]row, error)  { return nil, nil }
func fetchRows(*env) ([]row, error) { return nil, nil }
func planRows(*env) ([]row, error)  { return nil, nil }
