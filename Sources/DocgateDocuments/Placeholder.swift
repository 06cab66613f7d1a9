public enum DocgateDocumentsPlaceholder {}
